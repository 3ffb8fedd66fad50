#!/bin/sh
# `courier` inside the image: the node jar's command line (token, config, run) for a shell in the
# container and for the Kubernetes preStop hook, which mints its short-lived admin token with it
# beside the running node. The small heap keeps that second JVM from crowding the node's memory.
exec java -XX:+ExitOnOutOfMemoryError ${COURIER_CLI_JAVA_OPTS:--Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1} -jar /app/courier.jar "$@"
