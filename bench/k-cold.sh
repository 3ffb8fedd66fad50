#!/bin/bash
# Cold start: a freshly started node meets a full chat load the moment it reports ready, as in a
# rolling restart when a reconnect wave meets an unwarmed JIT. Node on core 0, load generator on core 1.
# The 10,000 connections open inside the measured minute, as a real wave's do.
#   COLD_ENV  the node's extra settings, e.g. "COURIER_WARMUP_MS=0 COURIER_CDS=off" for the cold baseline
#   COLD_TAG  suffix of the result file (bench/out/cold<TAG>.json); RATE (default 5000) msgs/s
source "$(dirname "$0")/lib.sh"
start=$(date +%s%N)
env COURIER_PORT=8080 COURIER_MAX_CONNECTIONS=20000 ${COLD_ENV:-} taskset -c 0 bin/courier run > $RUN/node-8080.log 2>&1 &
echo $! > $RUN/node-8080.pid
# Time to ready at 0.1 s resolution (wait_ready polls once a second).
for i in $(seq 1 1200); do curl -sf http://127.0.0.1:8080/health/ready >/dev/null && break; sleep 0.1; done
curl -sf http://127.0.0.1:8080/health/ready >/dev/null || { echo "node on 8080 not ready"; stop_pidfile $RUN/node-8080.pid; exit 1; }
echo "ready after $(( ($(date +%s%N) - start) / 1000000 )) ms (${COLD_ENV:-defaults})"
NODE=$(cat $RUN/node-8080.pid)
# JIT work and CPU of the node inside the measured minute: on a shared core steadier than the
# percentiles, and what a warm-up moves out of it (jstat: methods compiled, seconds compiling).
jit() { jstat -compiler $NODE 2>/dev/null | awk 'NR==2 {print $1 " methods compiled, " $4 " s compiling"}'; }
echo "JIT at ready: $(jit)"
ticks=$(cpu_ticks 8080)
taskset -c 1 bin/courier bench chat --port 8080 --connections 10000 --rate ${RATE:-5000} --duration 60s \
  --server-pid $NODE --metrics-url http://127.0.0.1:8080/metrics --label "cold${COLD_TAG:-}" --quiet --out $OUT/cold${COLD_TAG:-}.json | tail -2
echo "JIT after the run: $(jit); node CPU during the run: $(( ($(cpu_ticks 8080) - ticks) / 100 )) s"
stop_pidfile $RUN/node-8080.pid
