#!/bin/bash
source "$(dirname "$0")/lib.sh"
start_node 8080 0 || exit 1
NODE=$(cat $RUN/node-8080.pid)
taskset -c 1 bin/courier bench reconnect-storm --connections 10000 --drop 10000 --rate 1000 --duration 60s --drain 30s \
  --server-pid $NODE --quiet --out $OUT/storm-10k.json | tail -1
stop_pidfile $RUN/node-8080.pid
