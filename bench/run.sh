#!/usr/bin/env bash
# `deno task bench`: installs what the benchmark needs, compiles the Java
# client's side, and runs bench/run.ts (pass --quick for a short run).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/deno ] && [ -d node_modules/node-zookeeper-client ] || npm install --no-audit --no-fund
bash scripts/install_zookeeper.sh
jars=$(ls /usr/share/java/{zookeeper,zookeeper-jute,slf4j-api,slf4j-nop,metrics-core,snappy-java}.jar \
  /usr/share/java/netty-{buffer,codec,common,handler,resolver,transport,transport-native-epoll,transport-native-unix-common}.jar \
  /usr/share/java/commons-{cli,io}.jar 2>/dev/null | tr '\n' ':')
bash scripts/build_npm.sh >/dev/null
mkdir -p bench/.build
javac -nowarn -d bench/.build -cp "$jars" bench/JavaBench.java
# With two cores or more, the server (and this harness) runs on the last core
# and every client on the others, as a client and its ensemble would on their
# own machines: sharing the cores, each client's throughput followed where the
# scheduler put the server's threads, by up to 2x between repetitions.
# BENCH_PIN=0 shares them.
pin=()
cores=$(nproc)
if [ "${BENCH_PIN:-1}" != 0 ] && [ "$cores" -ge 2 ] && command -v taskset >/dev/null; then
  pin=(taskset -c "$((cores - 1))")
  export BENCH_CLIENT_CPUS=0
  [ "$cores" -gt 2 ] && BENCH_CLIENT_CPUS="0-$((cores - 2))"
fi
ZK_CLASSPATH="$jars" "${pin[@]}" node_modules/.bin/deno run -A bench/run.ts "$@"
node_modules/.bin/deno run -A bench/reconnect.ts
node dist/bench/reconnect.js
