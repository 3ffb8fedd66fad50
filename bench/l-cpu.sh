#!/bin/bash
# The node's CPU time per delivered message, one node, Hazelcast store (COURIER_STORE=redis with a
# REDIS_URL of a server of your own for the other store), 10,000 connections, node on core 0 and the
# load generator on core 1: after a 60 s warm-up chat, a chat at $RATE msg/s, and the node's CPU time
# (user + system, each also apart, /proc/<pid>/stat) over 25 s of its steady part, after all connections are open.
# On a shared machine CPU per message is a steadier comparison of two builds than latency. DURATION
# (default 30s) is the measured chat's length: a longer one shows pauses that come minutes apart.
# ASYNC_PROFILER=/path/to/libasyncProfiler.so (tools.profiler:async-profiler:4.1:jar:linux-x64 from
# Maven Central, unpacked) also records the node's stacks over the same 25 s ($OUT/cpu-$TAG.collapsed);
# PROFILE_EVENT chooses what it samples (default event=itimer,interval=2ms,threads; event=alloc for
# where the node allocates).
source "$(dirname "$0")/lib.sh"
RATE=${RATE:-4000}; TAG=${TAG:-$RATE}
start_node 8080 0 ${NODE_ENV:-} || exit 1
NODE=$(cat $RUN/node-8080.pid)
conns() { curl -s http://127.0.0.1:8080/metrics | grep -E "^courier_connections[{ ]" | awk '{print $2}'; }
taskset -c 1 bin/courier bench chat --connections 10000 --rate 3000 --duration 60s --quiet --out $OUT/cpu-warm-$TAG.json | tail -1
for i in $(seq 1 240); do c=$(conns); [ "${c%.*}" = "0" ] && break; sleep 0.5; done
taskset -c 1 bin/courier bench chat --connections 10000 --rate $RATE --warmup 5s --duration ${DURATION:-30s} --server-pid $NODE \
  --quiet --out $OUT/cpu-$TAG.json > $OUT/cpu-$TAG.md 2>&1 &
CHAT=$!
for i in $(seq 1 480); do c=$(conns); [ "${c%.*}" = "10000" ] && break; sleep 0.5; done
sleep 6
[ -n "${ASYNC_PROFILER:-}" ] && java bench/Attach.java $NODE "$ASYNC_PROFILER" start,${PROFILE_EVENT:-event=itimer,interval=2ms,threads}
read u k <<< "$(cpu_window $NODE 25)"
[ -n "${ASYNC_PROFILER:-}" ] && java bench/Attach.java $NODE "$ASYNC_PROFILER" stop,collapsed,file=$OUT/cpu-$TAG.collapsed
wait $CHAT; tail -1 $OUT/cpu-$TAG.md
echo "node CPU over 25 s at $RATE msg/s: $(per_message $u $k $RATE 25)" | tee $OUT/cpu-$TAG.txt
stop_pidfile $RUN/node-8080.pid
