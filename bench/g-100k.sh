#!/bin/bash
# 100,000 connections: 6 nodes (each < 20,000 by the file limit) and 6 load-generator processes; no pinning.
# `reach`: once all 100,000 are open, every user is sent one message from a user on another node.
# REACH_RATE (default 500 msg/s) paces them: 12 JVMs share 2 cores, so a rate well under one node's.
source "$(dirname "$0")/lib.sh"
RATE=${REACH_RATE:-500}
start_cluster 6 0,1 JAVA_OPTS="-Xmx1500m" || exit 1
bin/courier bench reach --ports $(ports 6) --connections 100000 --processes 6 --rate $RATE --drain 120s \
  --connect-timeout 30s --label "100k, 6 nodes" --quiet --out $OUT/n6-100k.json > $OUT/n6-100k.md 2>&1 &
LG=$!
# presence while connected: the admin count of online users, sampled until the run ends
TOKEN=$(bin/courier token admin --roles admin 2>/dev/null || true)
: > $OUT/n6-presence.txt
while kill -0 $LG 2>/dev/null; do
  echo "$(date +%T) $(curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8081/admin/presence | head -c 300)" >> $OUT/n6-presence.txt
  sleep 10
done
tail -3 $OUT/n6-100k.md
stop_cluster 6
