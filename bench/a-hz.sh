#!/bin/bash
# One node, Hazelcast store; forwarder baseline in the same invocation; node+forwarder on core 0, loadgen on core 1.
source "$(dirname "$0")/lib.sh"
taskset -c 0 bin/courier bench forwarder --port 9090 > $RUN/fwd.log 2>&1 & echo $! > $RUN/fwd.pid
start_node 8080 0 || exit 1
NODE=$(cat $RUN/node-8080.pid)
# JIT warm-up of the node (one core: C2 competes with the load for minutes), not recorded
taskset -c 1 bin/courier bench chat --connections 10000 --rate 3000 --duration 60s --quiet --out $OUT/hz-warm.json | tail -1
for rate in ${RATES:-2000 5000 7000 10000}; do
  taskset -c 1 bin/courier bench chat --connections 10000 --rate $rate --warmup 15s --duration 30s --baseline-port 9090 \
    --server-pid $NODE --metrics-url http://127.0.0.1:8080/metrics --label hazelcast --quiet --out $OUT/hz-$rate.json | tail -2
done
stop_pidfile $RUN/node-8080.pid
stop_pidfile $RUN/fwd.pid
