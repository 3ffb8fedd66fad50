#!/usr/bin/env bash
# A local three-node Courier cluster behind HAProxy, as separate processes on loopback.
#
#   local-cluster.sh up [options]   start (Redis,) three nodes, then HAProxy in front of them
#   local-cluster.sh status         what runs, node readiness, HAProxy's view of each node
#   local-cluster.sh restart        rolling restart: one node at a time, back in rotation before the next
#   local-cluster.sh down           stop exactly the processes 'up' and 'restart' started (pid files)
#
# Usually called as 'bin/courier cluster ...', which builds the jar first. Options of 'up' (every
# command takes --dir):
#   --dir DIR                run directory: pid files, logs, settings   (.courier/cluster)
#   --front-port N           HAProxy's WebSocket/HTTP port               (8000)
#   --stats-port N           HAProxy's stats page, /stats                 (8404)
#   --admin-port N           HAProxy's admin socket (TCP, loopback)       (8405)
#   --node-ports A,B,C       the nodes' WebSocket/HTTP ports              (8081,8082,8083)
#   --cluster-ports A,B,C    the nodes' Hazelcast ports                   (5711,5712,5713)
#   --cluster-name NAME      Hazelcast cluster name                       (courier-local)
#   --store hazelcast|redis  message store; redis starts a redis-server   (hazelcast)
#   --redis-port N           port of that redis-server (AOF, fsync always) (6391)
# Every other COURIER_* variable in the environment reaches the nodes unchanged (e.g.
# COURIER_JWT_SECRET, COURIER_DRAIN_GRACE_MS); JAVA_OPTS reaches their JVMs; COURIER_JAR names the
# jar (default node/target/courier.jar).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cfg="$here/haproxy.cfg"
jar="${COURIER_JAR:-$root/node/target/courier.jar}"

die() { echo "cluster: $*" >&2; exit 1; }
say() { echo "cluster: $*" >&2; }
# Stops with MESSAGE and the last lines of NAME's log (CI keeps no run directory).
exited() {  # name, message
  local log="$dir/$1.log" tail=""
  [ -f "$log" ] && tail=$'\n'"--- last lines of $log:"$'\n'"$(tail -n 20 "$log")"
  die "$2; see $log$tail"
}

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2; }

cmd="${1:-}"
[ -n "$cmd" ] && shift

dir="$root/.courier/cluster"
front_port=8000 stats_port=8404 admin_port=8405
node_ports=8081,8082,8083 cluster_ports=5711,5712,5713
cluster_name=courier-local store=hazelcast redis_port=6391

port_ok() { [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]; }

parse() {
  while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || die "$1 needs a value"
    case "$1" in
      --dir) dir="$2" ;;
      --front-port) front_port="$2" ;;
      --stats-port) stats_port="$2" ;;
      --admin-port) admin_port="$2" ;;
      --node-ports) node_ports="$2" ;;
      --cluster-ports) cluster_ports="$2" ;;
      --cluster-name) cluster_name="$2" ;;
      --store) store="$2" ;;
      --redis-port) redis_port="$2" ;;
      *) die "unknown option $1 (see: $0 help)" ;;
    esac
    shift 2
  done
}

validate() {
  local p
  IFS=, read -r -a np <<<"$node_ports"
  IFS=, read -r -a cp <<<"$cluster_ports"
  [ ${#np[@]} -eq 3 ] || die "--node-ports needs three ports (haproxy.cfg names node1..node3), got '$node_ports'"
  [ ${#cp[@]} -eq 3 ] || die "--cluster-ports needs three ports, got '$cluster_ports'"
  for p in "$front_port" "$stats_port" "$admin_port" "$redis_port" "${np[@]}" "${cp[@]}"; do
    port_ok "$p" || die "not a port: '$p'"
  done
  case "$store" in hazelcast|redis) ;; *) die "--store is hazelcast or redis, got '$store'" ;; esac
  [ -n "$cluster_name" ] || die "--cluster-name must not be empty"
}

settings_file() { echo "$dir/cluster.env"; }

load() {
  [ -f "$(settings_file)" ] || die "no cluster in $dir (run: up)"
  # shellcheck disable=SC1090
  source "$(settings_file)"
  IFS=, read -r -a np <<<"$node_ports"
  IFS=, read -r -a cp <<<"$cluster_ports"
}

# ---- processes ----

pid_of() { [ -f "$dir/$1.pid" ] && cat "$dir/$1.pid" || true; }

# Alive and still the process we started (a recycled pid running something else is not ours).
# A child of this script is ours whatever its command line says: just after `cmd &` the child is
# still a copy of this shell until it execs the command, and a check in that moment must not read
# it as exited. A process started by an earlier run (now a child of init) must name what we ran.
# /proc reads may fail when the process exits mid-check: that is "not running", quietly.
ours() {
  local name="$1" pid="$2" mark stat state ppid
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  if [ -d "/proc/$pid" ]; then
    stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
    # Fields after the command name, which is in parentheses and may hold spaces: state, ppid.
    read -r state ppid _ <<<"${stat##*) }"
    [ "$state" != Z ] || return 1
    [ "$ppid" != "$$" ] || return 0
    case "$name" in
      node*) mark="$jar" ;;
      haproxy) mark="$cfg" ;;
      redis) mark="redis-server" ;;
    esac
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$mark" || return 1
  fi
}

stop_proc() {  # name, seconds to wait after SIGTERM before SIGKILL
  local name="$1" limit="$2" pid
  pid="$(pid_of "$name")"
  if ours "$name" "$pid"; then
    kill -TERM "$pid"
    local deadline=$((SECONDS + limit))
    while ours "$name" "$pid"; do
      if [ $SECONDS -ge $deadline ]; then
        say "$name (pid $pid) still running ${limit}s after SIGTERM; SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.2
    done
  fi
  rm -f "$dir/$name.pid"
}

# HTTP status of GET path on a local port ("000" when nothing answers).
http_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1$2" 2>/dev/null || true; }

node_ready() { [ "$(http_status "$1" /health/ready)" = 200 ]; }

start_node() {  # index 1..3
  local i="$1" members=() j
  for j in 0 1 2; do [ "$j" -ne $((i - 1)) ] && members+=("127.0.0.1:${cp[$j]}"); done
  local joined; joined="$(IFS=,; echo "${members[*]}")"
  local extra=()
  [ "$store" = redis ] && extra+=(COURIER_REDIS_URL="redis://127.0.0.1:$redis_port/0")
  # Everything on loopback: HTTP, and the cluster plane (Hazelcast on its port, the event bus on a
  # free port), which listens on COURIER_CLUSTER_HOST only.
  # shellcheck disable=SC2086
  env COURIER_NODE_ID="node$i" COURIER_HOST=127.0.0.1 COURIER_PORT="${np[$((i - 1))]}" \
      COURIER_CLUSTER_HOST=127.0.0.1 COURIER_CLUSTER_PORT="${cp[$((i - 1))]}" \
      COURIER_CLUSTER_MEMBERS="$joined" COURIER_CLUSTER_NAME="$cluster_name" \
      COURIER_CLUSTER_CONFIG="${COURIER_CLUSTER_CONFIG:-$root/cluster.xml}" \
      COURIER_STORE="$store" "${extra[@]}" \
      nohup java -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:-} -jar "$jar" run >>"$dir/node$i.log" 2>&1 </dev/null &
  echo $! >"$dir/node$i.pid"
}

await_node() {  # index, seconds
  local i="$1" limit="$2" port="${np[$(($1 - 1))]}" pid
  pid="$(pid_of "node$i")"
  local deadline=$((SECONDS + limit))
  until node_ready "$port"; do
    ours "node$i" "$pid" || exited "node$i" "node$i exited while starting"
    [ $SECONDS -lt $deadline ] || die "node$i not ready on :$port after ${limit}s; see $dir/node$i.log"
    sleep 0.3
  done
}

# ---- HAProxy admin socket (TCP on loopback; one command per connection) ----

lb() {
  local out
  exec 3<>"/dev/tcp/127.0.0.1/$admin_port" || return 1
  printf '%s\n' "$1" >&3
  out="$(cat <&3)"
  exec 3<&-
  printf '%s\n' "$out"
}

# HAProxy's status of backend server nodeN: UP, DOWN, DRAIN, MAINT, "UP 1/2"...
lb_state() { lb "show stat" 2>/dev/null | awk -F, -v s="node$1" '$1=="nodes" && $2==s {print $18}'; }

await_lb_up() {
  local i="$1" limit="$2" deadline=$((SECONDS + $2))
  until [ "$(lb_state "$i")" = UP ]; do
    ours haproxy "$(pid_of haproxy)" || exited haproxy "haproxy exited"
    [ $SECONDS -lt $deadline ] || die "HAProxy does not see node$i UP after ${limit}s (state: $(lb_state "$i"))"
    sleep 0.2
  done
}

start_haproxy() {
  env COURIER_LB_BIND="127.0.0.1:$front_port" COURIER_LB_STATS="127.0.0.1:$stats_port" \
      COURIER_LB_ADMIN="ipv4@127.0.0.1:$admin_port" \
      COURIER_NODE1="127.0.0.1:${np[0]}" COURIER_NODE2="127.0.0.1:${np[1]}" COURIER_NODE3="127.0.0.1:${np[2]}" \
      nohup haproxy -f "$cfg" -db >>"$dir/haproxy.log" 2>&1 </dev/null &
  echo $! >"$dir/haproxy.pid"
}

start_redis() {
  mkdir -p "$dir/redis"
  nohup redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$dir/redis" \
      --appendonly yes --appendfsync always --save "" >>"$dir/redis.log" 2>&1 </dev/null &
  echo $! >"$dir/redis.pid"
  local deadline=$((SECONDS + 20))
  until [ "$(printf 'PING\r\n' | (exec 3<>"/dev/tcp/127.0.0.1/$redis_port" && cat >&3 && head -c 5 <&3) 2>/dev/null)" = "+PONG" ]; do
    ours redis "$(pid_of redis)" || exited redis "redis-server exited"
    [ $SECONDS -lt $deadline ] || die "redis-server not answering on :$redis_port"
    sleep 0.2
  done
}

# ---- commands ----

up() {
  parse "$@"
  validate
  command -v java >/dev/null || die "java not found (Java 17 needed)"
  command -v haproxy >/dev/null || die "haproxy not found (Debian: apt-get install haproxy)"
  command -v curl >/dev/null || die "curl not found"
  [ "$store" = hazelcast ] || command -v redis-server >/dev/null || die "redis-server not found (Debian: apt-get install redis-server)"
  [ -f "$jar" ] || die "no jar at $jar (bin/courier cluster builds it)"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  local n
  for n in redis node1 node2 node3 haproxy; do
    ! ours "$n" "$(pid_of "$n")" || die "$n already runs (pid $(pid_of "$n")); run: down --dir $dir"
  done
  { declare -p dir front_port stats_port admin_port node_ports cluster_ports cluster_name store redis_port jar; } \
      | sed 's/^declare -[-a-z]* //' >"$(settings_file)"
  trap 'if [ $? -ne 0 ]; then say "start failed; stopping what started"; down_all; fi' EXIT
  if [ "$store" = redis ]; then start_redis; say "redis-server on 127.0.0.1:$redis_port (AOF, appendfsync always)"; fi
  start_node 1
  await_node 1 120
  start_node 2
  start_node 3
  await_node 2 120
  await_node 3 120
  start_haproxy
  for n in 1 2 3; do await_lb_up "$n" 30; done
  trap - EXIT
  say "up: ws://127.0.0.1:$front_port/ws (HAProxy, stats http://127.0.0.1:$stats_port/stats), nodes on ${node_ports}, logs in $dir"
}

down_all() {
  stop_proc haproxy 10
  local i
  for i in 1 2 3; do stop_proc "node$i" 90; done
  stop_proc redis 10
}

down() {
  parse "$@"
  [ -f "$(settings_file)" ] || { say "no cluster in $dir"; return 0; }
  load
  down_all
  say "down"
}

status() {
  parse "$@"
  load
  local n pid state
  printf '%-8s %-8s %-6s %-7s %s\n' NAME PID ALIVE PORT "READY/LB"
  if [ "$store" = redis ]; then
    pid="$(pid_of redis)"; ours redis "$pid" && state=yes || state=no
    printf '%-8s %-8s %-6s %-7s %s\n' redis "${pid:--}" "$state" "$redis_port" -
  fi
  for n in 1 2 3; do
    pid="$(pid_of "node$n")"; ours "node$n" "$pid" && state=yes || state=no
    printf '%-8s %-8s %-6s %-7s %s\n' "node$n" "${pid:--}" "$state" "${np[$((n - 1))]}" \
        "$(http_status "${np[$((n - 1))]}" /health/ready) / $(lb_state "$n" || true)"
  done
  pid="$(pid_of haproxy)"; ours haproxy "$pid" && state=yes || state=no
  printf '%-8s %-8s %-6s %-7s %s\n' haproxy "${pid:--}" "$state" "$front_port" "stats :$stats_port/stats"
}

restart() {
  parse "$@"
  load
  ours haproxy "$(pid_of haproxy)" || die "HAProxy is not running (run: up)"
  local i t0
  for i in 1 2 3; do
    t0=$SECONDS
    # New connections stop going to the node at once; open ones stay until the node moves them.
    lb "set server nodes/node$i state drain" >/dev/null
    say "node$i: draining in HAProxy, SIGTERM"
    stop_proc "node$i" 90
    start_node "$i"
    await_node "$i" 120
    lb "set server nodes/node$i state ready" >/dev/null
    await_lb_up "$i" 30
    say "node$i: back in rotation after $((SECONDS - t0))s"
  done
  say "rolling restart done"
}

case "$cmd" in
  up) up "$@" ;;
  down) down "$@" ;;
  status) status "$@" ;;
  restart) restart "$@" ;;
  help|-h|--help) usage ;;
  "") usage; exit 2 ;;
  *) say "unknown command '$cmd'"; usage; exit 2 ;;
esac
