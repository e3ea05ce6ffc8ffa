#!/usr/bin/env bash
# Installs what the tests and the demo need from Debian: ZooKeeper (with a
# Java runtime) and openssl. Does nothing when they are already there.
set -euo pipefail
need=()
[ -f /usr/share/java/zookeeper.jar ] || need+=(zookeeper)
command -v java >/dev/null || need+=(default-jre-headless)
command -v openssl >/dev/null || need+=(openssl)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing ${need[*]} from Debian's packages"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
# The tests start their own servers; a system service is not wanted.
if command -v systemctl >/dev/null; then $sudo systemctl disable --now zookeeper >/dev/null 2>&1 || true; fi
