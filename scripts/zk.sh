#!/usr/bin/env bash
# A local ZooKeeper in the foreground, on 127.0.0.1:${ZK_PORT:-2181}, until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/deno ] || npm install --no-audit --no-fund
bash scripts/install_zookeeper.sh
ZK_PORT=${ZK_PORT:-2181} exec node_modules/.bin/deno run -A scripts/local_zk.ts
