#!/bin/bash
# the raw forwarder's ceiling on this setup (server core 0, load core 1)
source "$(dirname "$0")/lib.sh"
taskset -c 0 bin/courier bench forwarder --port 9090 > $RUN/fwd.log 2>&1 & echo $! > $RUN/fwd.pid
sleep 3
for rate in ${RATES:-20000 40000}; do
  taskset -c 1 bin/courier bench chat --raw --port 9090 --connections 10000 --rate $rate --warmup 15s --duration 30s \
    --label forwarder --quiet --out $OUT/fwd-$rate.json | tail -1
done
stop_pidfile $RUN/fwd.pid
