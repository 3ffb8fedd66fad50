#!/bin/bash
source "$(dirname "$0")/lib.sh"
start_node 8080 0 ${NODE_ENV:-} || exit 1
NODE=$(cat $RUN/node-8080.pid)
heap() { jcmd $NODE GC.run >/dev/null; sleep 2; jcmd $NODE GC.heap_info | grep -E "generation|garbage-first heap" | grep -oE "used [0-9]+K" | grep -oE "[0-9]+" | paste -sd+ | bc; }
rss() { grep VmRSS /proc/$NODE/status | grep -oE "[0-9]+"; }
echo "before: heapK=$(heap) rssK=$(rss)" | tee $OUT/idle-gc.txt
taskset -c 1 bin/courier bench idle --connections 19700 --duration 150s --interval 15s --server-pid $NODE \
  --metrics-url http://127.0.0.1:8080/metrics --quiet --out $OUT/idle-19700.json > $OUT/idle-19700.md &
LG=$!
for i in $(seq 1 150); do sleep 2; c=$(curl -s http://127.0.0.1:8080/metrics | grep -E "^courier_connections[{ ]" | awk '{print $2}'); [ "${c%.*}" = "19700" ] && break; done
sleep 10
echo "loaded: heapK=$(heap) rssK=$(rss) conns=$c" | tee -a $OUT/idle-gc.txt
jcmd $NODE GC.class_histogram | head -60 > $OUT/idle-histogram.txt
wait $LG; tail -1 $OUT/idle-19700.md
stop_pidfile $RUN/node-8080.pid
