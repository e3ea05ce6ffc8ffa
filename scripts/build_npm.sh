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
cp -r dist/mod.js dist/mod.d.ts dist/src README.md LICENSE dist/package/
cat > dist/package/package.json <<JSON
{
  "name": "@nd/service-registry",
  "version": "$version",
  "description": "A ZooKeeper client and service registry for Deno, Node, Bun and edge runtimes, with no dependencies.",
  "license": "MIT",
  "type": "module",
  "engines": { "node": ">=20" },
  "bin": { "service-registry": "./bin/service-registry.js" },
  "exports": {
    ".": { "types": "./mod.d.ts", "default": "./mod.js" },
    "./cli": { "types": "./src/cli.d.ts", "default": "./src/cli.js" },
    "./http": { "types": "./src/http/mod.d.ts", "default": "./src/http/mod.js" },
    "./http/node": { "types": "./src/http/node.d.ts", "default": "./src/http/node.js" },
    "./transport/node": { "types": "./src/transport/node.d.ts", "default": "./src/transport/node.js" },
    "./transport/deno": { "types": "./src/transport/deno.d.ts", "default": "./src/transport/deno.js" },
    "./transport/cloudflare": { "types": "./src/transport/cloudflare.d.ts", "default": "./src/transport/cloudflare.js" },
    "./testing": { "types": "./src/testing/mod.d.ts", "default": "./src/testing/mod.js" }
  }
}
JSON
mkdir -p dist/package/bin
cat > dist/package/bin/service-registry.js <<'JS'
#!/usr/bin/env node
import { runProcess } from "../src/cli.js";

await runProcess();
JS
chmod +x dist/package/bin/service-registry.js
(cd dist && npm pack ./package --silent >/dev/null)
echo "built dist/ and $(ls dist/*.tgz)"
