#!/bin/bash
# 2 nodes on core 0 (the same server budget as one node), every message crossing nodes; loadgen on core 1
source "$(dirname "$0")/lib.sh"
start_cluster 2 0 || exit 1
taskset -c 1 bin/courier bench chat --ports $(ports 2) --cross-node --connections 10000 --rate 2000 --duration 60s --quiet --out $OUT/x2-warm.json | tail -1
for rate in ${RATES:-2000 4000 6000}; do
  taskset -c 1 bin/courier bench chat --ports $(ports 2) --cross-node --connections 10000 --rate $rate --warmup 15s --duration 30s \
    --label "2 nodes, all crossing" --quiet --out $OUT/x2-$rate.json | tail -1
done
stop_cluster 2
