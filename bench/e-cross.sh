#!/bin/bash
# 2 nodes on core 0 (the same server budget as one node), every message crossing nodes; loadgen on core 1.
# CLUSTER_TLS=1: the event bus between the two nodes runs TLS with mutual authentication, with a CA
# and a node certificate made here by openssl (docs/operations.md, Security model).
source "$(dirname "$0")/lib.sh"
extra=(); label="2 nodes, all crossing"; tag=x2
if [ "${CLUSTER_TLS:-0}" = 1 ]; then
  pki=$RUN/pki; mkdir -p $pki
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=bench-ca -keyout $pki/ca.key -out $pki/ca.pem 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=bench-node -keyout $pki/node.key -out $pki/node.csr 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\n' > $pki/ext.cnf
  openssl x509 -req -in $pki/node.csr -CA $pki/ca.pem -CAkey $pki/ca.key -CAcreateserial -days 2 \
    -extfile $pki/ext.cnf -out $pki/node.pem 2>/dev/null
  extra=(COURIER_CLUSTER_TLS_CERT_FILE=$pki/node.pem COURIER_CLUSTER_TLS_KEY_FILE=$pki/node.key COURIER_CLUSTER_TLS_CA_FILE=$pki/ca.pem)
  label="2 nodes, all crossing, bus TLS"; tag=x2tls
fi
start_cluster 2 0 "${extra[@]}" || exit 1
taskset -c 1 bin/courier bench chat --ports $(ports 2) --cross-node --connections 10000 --rate 2000 --duration 60s --quiet --out $OUT/$tag-warm.json | tail -1
for rate in ${RATES:-2000 4000 6000}; do
  before=$(cpu_ticks 8081 8082)
  taskset -c 1 bin/courier bench chat --ports $(ports 2) --cross-node --connections 10000 --rate $rate --warmup 15s --duration 30s \
    --label "$label" --quiet --out $OUT/$tag-$rate.json | tail -1
  # connecting 10,000 clients, the 15 s warm-up and the 30 s window, both nodes together
  echo "$label, $rate msg/s: node CPU $(( ($(cpu_ticks 8081 8082) - before) / 100 )) s"
done
stop_cluster 2
