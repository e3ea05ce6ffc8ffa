#!/usr/bin/env bash
# Installs what the tests and the demo need from Debian: ZooKeeper (with a
# Java runtime) and openssl, and the peers of the interop tests: kazoo
# (python3-kazoo, for Debian's /usr/bin/python3) and Apache Curator's service
# discovery with a Java compiler (tests/interop/CuratorPeer.java is compiled
# at test time). Does nothing when they are already there.
set -euo pipefail
need=()
[ -f /usr/share/java/zookeeper.jar ] || need+=(zookeeper)
command -v java >/dev/null || need+=(default-jre-headless)
command -v javac >/dev/null || need+=(default-jdk-headless)
command -v openssl >/dev/null || need+=(openssl)
/usr/bin/python3 -c "import kazoo" >/dev/null 2>&1 || need+=(python3-kazoo)
[ -f /usr/share/java/curator-x-discovery.jar ] || need+=(libcurator-discovery-java)
[ -f /usr/share/java/curator-recipes.jar ] || need+=(libcurator-recipes-java)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing ${need[*]} from Debian's packages"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
# The tests start their own servers; a system service is not wanted.
if command -v systemctl >/dev/null; then $sudo systemctl disable --now zookeeper >/dev/null 2>&1 || true; fi
