#!/usr/bin/env bash
# Installs Debian's chromium for the live page's tests (driven headless
# through the DevTools protocol; nothing is downloaded by the tests). Does
# nothing when it is already there.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing chromium from Debian's packages"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
