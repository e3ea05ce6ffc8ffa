#!/usr/bin/env bash
# Installs Debian's Prometheus for tests/prometheus_test.ts, which runs it on
# a loopback port with its own config and storage. Does nothing when it is
# already there.
set -euo pipefail
[ -x /usr/bin/prometheus ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
install() {
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
}
echo "Installing prometheus from Debian's packages"
# Package lists are fetched only when the package is not found without them.
install 2>/dev/null || { $sudo apt-get update -qq && install; }
# The test starts its own; the system service (scraping on :9090) is not wanted.
if command -v systemctl >/dev/null; then $sudo systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
