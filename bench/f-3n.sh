#!/bin/bash
# 3 nodes (no CPU pinning: three JVMs and the load generator share both cores), connections spread over the nodes,
# random recipients (about 2 of 3 messages cross nodes)
source "$(dirname "$0")/lib.sh"
start_cluster 3 0,1 || exit 1
taskset -c 0,1 bin/courier bench chat --ports $(ports 3) --connections 10000 --rate 2000 --duration 60s --quiet --out $OUT/n3-warm.json | tail -1
for rate in ${RATES:-2000 4000 6000}; do
  taskset -c 0,1 bin/courier bench chat --ports $(ports 3) --connections 10000 --rate $rate --warmup 15s --duration 30s \
    --label "3 nodes" --quiet --out $OUT/n3-$rate.json | tail -1
done
stop_cluster 3
