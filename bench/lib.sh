# Helpers of the benchmark scripts (docs/benchmarks.md): they start and stop only their own
# processes, by PID. Results go to $OUT (default bench/out), logs and pid files to $RUN.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${OUT:-$ROOT/bench/out}"
RUN="${RUN:-${TMPDIR:-/tmp}/courier-bench}"
mkdir -p "$OUT" "$RUN"
export COURIER_CLUSTER_NAME=bench-$(date +%s)
wait_ready() { for i in $(seq 1 120); do curl -sf http://127.0.0.1:$1/health/ready >/dev/null && return 0; sleep 1; done; echo "node on $1 not ready"; return 1; }
start_node() { # port cpu extra-env...
  local port=$1 cpu=$2; shift 2
  env COURIER_PORT=$port COURIER_MAX_CONNECTIONS=20000 "$@" taskset -c $cpu bin/courier run > $RUN/node-$port.log 2>&1 &
  echo $! > $RUN/node-$port.pid
  wait_ready $port
}
# A node drains on SIGTERM (up to COURIER_DRAIN_GRACE_MS, 30 s, plus any backlog): wait for it to exit,
# so the next run never shares the core with a node still stopping.
stop_pidfile() { local p=$(cat $1 2>/dev/null); [ -n "$p" ] && kill $p 2>/dev/null; for i in $(seq 1 240); do kill -0 $p 2>/dev/null || break; sleep 0.5; done; kill -0 $p 2>/dev/null && echo "pid $p still running after 120 s" >&2; rm -f $1; }
# start k cluster nodes: ports 8081.., cluster ports 5711.., all on cpu list $2
start_cluster() { # k cpus extra-env...
  local k=$1 cpus=$2; shift 2
  local members=""; for i in $(seq 1 $k); do members="$members${members:+,}127.0.0.1:$((5710+i))"; done
  for i in $(seq 1 $k); do
    env COURIER_PORT=$((8080+i)) COURIER_CLUSTER_PORT=$((5710+i)) COURIER_CLUSTER_MEMBERS=$members COURIER_NODE_ID=n$i \
      COURIER_MAX_CONNECTIONS=20000 "$@" taskset -c $cpus bin/courier run > $RUN/node-$((8080+i)).log 2>&1 &
    echo $! > $RUN/node-$((8080+i)).pid
  done
  for i in $(seq 1 $k); do wait_ready $((8080+i)) || return 1; done
}
stop_cluster() { for i in $(seq 1 $1); do stop_pidfile $RUN/node-$((8080+i)).pid; done; }
ports() { local s=""; for i in $(seq 1 $1); do s="$s${s:+,}$((8080+i))"; done; echo $s; }
# CPU time (1/100 s ticks, user + system) used so far by the nodes of the given ports: on a shared
# core, CPU per message is a steadier comparison between two builds than the latency percentiles.
cpu_ticks() { local t=0 p s; for port in "$@"; do p=$(cat $RUN/node-$port.pid); s=$(cut -d' ' -f14,15 /proc/$p/stat); t=$((t + ${s% *} + ${s#* })); done; echo $t; }
# User and system ticks (1/100 s) process $1 uses over the next $2 seconds, as "user system": what
# the CPU-per-message scripts divide by the messages of that window.
cpu_window() { local a b; a=$(cut -d' ' -f14,15 /proc/$1/stat); sleep $2; b=$(cut -d' ' -f14,15 /proc/$1/stat)
  echo "$(( ${b% *} - ${a% *} )) $(( ${b#* } - ${a#* } ))"; }
# "T ms = X us per message (user U, system S)" from user ticks $1 and system ticks $2 over $4 s at $3 msg/s.
per_message() { local u=$1 k=$2 n=$(( $3 * $4 ))
  echo "$(( (u+k)*10 )) ms = $(( (u+k)*10000 / n )) us per message (user $(( u*10000 / n )), system $(( k*10000 / n )))"; }
