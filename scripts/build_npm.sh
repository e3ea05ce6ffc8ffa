#!/usr/bin/env bash
# Builds what Node users get, the way JSR's npm compatibility layer serves the
# package: ESM JavaScript and .d.ts declarations transpiled from the sources,
# nothing bundled. dist/ holds the whole build (tests and examples too, to run
# the suite against it); dist/package/ is the package itself, packed into
# dist/nd-service-registry-<version>.tgz.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/tsc ] || npm install --no-audit --no-fund

rm -rf dist
node_modules/.bin/tsc -p tsconfig.build.json
cp -r tests/testdata dist/tests/
node scripts/declaration_refs.mjs dist/mod.d.ts dist/src

version=$(node -p 'JSON.parse(require("fs").readFileSync("deno.json", "utf8")).version')
mkdir -p dist/package
# The entry points of deno.json, as their built JavaScript and declarations.
exports=$(node -e '
const { exports } = JSON.parse(require("fs").readFileSync("deno.json", "utf8"));
const out = {};
for (const [name, file] of Object.entries(exports)) {
  const base = file.replace(/\.ts$/, "");
  out[name] = { types: `${base}.d.ts`, default: `${base}.js` };
}
console.log(JSON.stringify(out, null, 2).replace(/\n/g, "\n  "));
')
cp -r dist/mod.js dist/mod.d.ts dist/src README.md LICENSE dist/package/
# The README links to these pages.
mkdir -p dist/package/docs && cp docs/*.md docs/*.png dist/package/docs/
cat > dist/package/package.json <<JSON
{
  "name": "@nd/service-registry",
  "version": "$version",
  "description": "A ZooKeeper client and service registry for Deno, Node, Bun and edge runtimes, with no dependencies.",
  "license": "MIT",
  "type": "module",
  "engines": { "node": ">=20" },
  "bin": { "service-registry": "./bin/service-registry.js" },
  "exports": $exports
}
JSON
# The command runs the "./cli" entry of deno.json, built.
cli=$(node -p 'JSON.parse(require("fs").readFileSync("deno.json", "utf8")).exports["./cli"].replace(/^\.\//, "../").replace(/\.ts$/, ".js")')
mkdir -p dist/package/bin
cat > dist/package/bin/service-registry.js <<JS
#!/usr/bin/env node
import { runProcess } from "$cli";

await runProcess();
JS
chmod +x dist/package/bin/service-registry.js
(cd dist && npm pack ./package --silent >/dev/null)
echo "built dist/ and $(ls dist/*.tgz)"
