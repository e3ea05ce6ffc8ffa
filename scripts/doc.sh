#!/usr/bin/env bash
# The API reference of every entry point as HTML in dist/docs/ (deno doc),
# with the npm-installed Deno when there is no other.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/entries.sh
source scripts/entries.sh
deno=node_modules/.bin/deno
[ -x "$deno" ] || deno=deno
# shellcheck disable=SC2086
"$deno" doc --html --name=@nd/service-registry --output=dist/docs $entries
