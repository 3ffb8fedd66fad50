#!/bin/bash
# One node, Redis store (own redis-server on a free port, AOF fsync always, on core 0 beside the node).
# BENCH_ARGS adds flags to the measured runs (e.g. "--drain 120s": wait longer for late messages).
source "$(dirname "$0")/lib.sh"
RPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
rm -rf $RUN/redis && mkdir -p $RUN/redis
taskset -c 0 redis-server --port $RPORT --bind 127.0.0.1 --dir $RUN/redis --appendonly yes --appendfsync always --save "" > $RUN/redis.log 2>&1 & echo $! > $RUN/redis.pid
sleep 1
taskset -c 0 bin/courier bench forwarder --port 9090 > $RUN/fwd.log 2>&1 & echo $! > $RUN/fwd.pid
start_node 8080 0 COURIER_STORE=redis COURIER_REDIS_URL=redis://127.0.0.1:$RPORT/0 || exit 1
NODE=$(cat $RUN/node-8080.pid)
taskset -c 1 bin/courier bench chat --connections 10000 --rate 3000 --duration 60s --quiet --out $OUT/redis-warm.json | tail -1
for rate in ${RATES:-2000 5000 7000}; do
  taskset -c 1 bin/courier bench chat --connections 10000 --rate $rate --warmup 15s --duration 30s --baseline-port 9090 \
    --server-pid $NODE --metrics-url http://127.0.0.1:8080/metrics --label redis --quiet ${BENCH_ARGS:-} --out $OUT/redis-$rate.json | tail -2
done
stop_pidfile $RUN/node-8080.pid
stop_pidfile $RUN/fwd.pid
stop_pidfile $RUN/redis.pid
