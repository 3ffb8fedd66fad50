#!/bin/bash
source "$(dirname "$0")/lib.sh"
start_node 8080 0 || exit 1
NODE=$(cat $RUN/node-8080.pid)
taskset -c 1 bin/courier bench room --room-members 1000 --rate 2 --duration 30s --drain 30s --quiet --out $OUT/room-warm.json | tail -1
for rate in ${RATES:-5 10 20}; do
  taskset -c 1 bin/courier bench room --room-members 1000 --rate $rate --duration 30s --drain 30s --server-pid $NODE \
    --label hazelcast --quiet --out $OUT/room-hz-$rate.json | tail -1
done
stop_pidfile $RUN/node-8080.pid
