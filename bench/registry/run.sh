#!/usr/bin/env bash
# `deno task bench:registry`: installs what the registry benchmark needs
# (ZooKeeper, Curator, kazoo, from Debian), compiles the Curator watchers and
# runs bench/registry/run.ts (flags: --n, --w, --peers, --reps).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x node_modules/.bin/deno ] || npm install --no-audit --no-fund
bash scripts/install_zookeeper.sh
need=()
for pkg in libcurator-framework-java libcurator-recipes-java; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
/usr/bin/python3 -c 'import kazoo' 2>/dev/null || need+=(python3-kazoo)
command -v javac >/dev/null || need+=(default-jdk-headless)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing ${need[*]} from Debian's packages"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
jars=$(ls /usr/share/java/{curator-client,curator-framework,curator-recipes,zookeeper,zookeeper-jute,guava,failureaccess,slf4j-api,slf4j-nop,metrics-core,snappy-java,commons-cli,commons-io}.jar \
  /usr/share/java/netty-{buffer,codec,common,handler,resolver,transport,transport-native-epoll,transport-native-unix-common}.jar \
  2>/dev/null | tr "\n" ":" || true)
mkdir -p bench/.build/registry
javac -nowarn -d bench/.build/registry -cp "$jars" bench/registry/CuratorWatchers.java
REGISTRY_CLASSPATH="$jars" node_modules/.bin/deno run -A bench/registry/run.ts "$@"
