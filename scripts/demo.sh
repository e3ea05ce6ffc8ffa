#!/usr/bin/env bash
# The demo: uses ZK_SERVERS, or a ZooKeeper answering on 127.0.0.1:2181, or
# starts one of its own on a free loopback port for the duration of the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/deno ] || npm install --no-audit --no-fund
deno=node_modules/.bin/deno
if [ -z "${ZK_SERVERS:-}" ]; then
  if [ "$( (exec 3<>/dev/tcp/127.0.0.1/2181 && printf ruok >&3 && timeout 2 cat <&3) 2>/dev/null)" = "imok" ]; then
    export ZK_SERVERS=127.0.0.1:2181
  else
    bash scripts/install_zookeeper.sh
    log=$(mktemp)
    $deno run -A scripts/local_zk.ts >"$log" 2>&1 &
    zk_pid=$!
    trap 'kill $zk_pid 2>/dev/null; wait $zk_pid 2>/dev/null; rm -f "$log"' EXIT
    for _ in $(seq 1 300); do
      grep -q '^ZK_SERVERS=' "$log" && break
      kill -0 $zk_pid 2>/dev/null || { cat "$log"; exit 1; }
      sleep 0.1
    done
    export ZK_SERVERS=$(sed -n 's/^ZK_SERVERS=//p' "$log")
    echo "(started a local ZooKeeper at $ZK_SERVERS)"
  fi
fi
$deno run -A examples/demo.ts
