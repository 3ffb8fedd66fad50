#!/bin/bash
source "$(dirname "$0")/lib.sh"
start_node 8080 0 ${SOAK_ENV:-} || exit 1
NODE=$(cat $RUN/node-8080.pid)
taskset -c 1 bin/courier bench soak --connections 5000 --rate 1000 --duration ${SOAK:-10m} --interval ${SOAK_INTERVAL:-60s} --live-heap --server-pid $NODE \
  --metrics-url http://127.0.0.1:8080/metrics --quiet --out $OUT/soak${SOAK_TAG:-}.json | tail -1
stop_pidfile $RUN/node-8080.pid
