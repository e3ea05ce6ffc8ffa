#!/usr/bin/env bash
# `deno task cli ...`: the command line from a checkout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
deno="$root/node_modules/.bin/deno"
[ -x "$deno" ] || deno=deno
exec "$deno" run -A "$root/src/cli/main.ts" "$@"
