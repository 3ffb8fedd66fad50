#!/bin/bash
# The raw forwarder's CPU time per message on one core: the socket floor of a message on this
# machine, without auth, store, seq or acks (one frame read, two written: the `msg` and the `sent`).
# Forwarder on core 0, load generator on core 1, 10,000 connections, a chat at each of $RATES after a
# 15 s warm-up; the forwarder's CPU time (user + system, /proc/<pid>/stat) over 25 s of each steady
# part, user and system (kernel) time apart. Compare with bench/l-cpu.sh, the node's figure under the same load.
source "$(dirname "$0")/lib.sh"
taskset -c 0 bin/courier bench forwarder --port 9090 > $RUN/fwd.log 2>&1 & echo $! > $RUN/node-9090.pid
for i in $(seq 1 60); do (exec 3<>/dev/tcp/127.0.0.1/9090) 2>/dev/null && break; sleep 0.5; done
for rate in ${RATES:-5000 10000}; do
  taskset -c 1 bin/courier bench chat --raw --port 9090 --connections 10000 --rate $rate --warmup 15s --duration 40s \
    --label forwarder --quiet --out $OUT/floor-$rate.json > $OUT/floor-$rate.md 2>&1 &
  CHAT=$!
  sleep 25   # the connections open and the warm-up runs; the window below lies inside the 40 s chat
  read u k <<< "$(cpu_window $(cat $RUN/node-9090.pid) 25)"
  wait $CHAT; tail -1 $OUT/floor-$rate.md
  echo "forwarder CPU over 25 s at $rate msg/s: $(per_message $u $k $rate 25)" | tee $OUT/floor-$rate.txt
done
stop_pidfile $RUN/node-9090.pid
