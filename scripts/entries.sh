# The package's entry points, read from deno.json's "exports": the one list
# that the docs, the checks and the npm build use. Sourced, it sets `entries`
# (the source files, space-separated) and `entry_map` (lines "<subpath> <file>").
# shellcheck shell=bash
entry_map=$(node -e '
const { exports } = JSON.parse(require("fs").readFileSync("deno.json", "utf8"));
for (const [name, file] of Object.entries(exports)) console.log(name, file);
')
entries=$(echo "$entry_map" | awk '{ print $2 }' | tr '\n' ' ')
