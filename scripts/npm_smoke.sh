#!/usr/bin/env bash
# Installs the packed package (scripts/build_npm.sh) into a fresh Node project,
# as a user would, then type-checks a small program against its declarations
# and runs it: the import by name, the types, and a real session when
# ZK_SERVERS names a server, with a test server of the testing entry; then the
# `service-registry` command through npx.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tarball=$(ls "$repo"/dist/nd-service-registry-*.tgz)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > package.json <<'JSON'
{ "name": "smoke", "private": true, "type": "module" }
JSON
npm install --no-audit --no-fund --silent "$tarball"
cat > tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noEmit": false,
    "outDir": "out",
    "lib": ["ES2022", "DOM", "ESNext.Disposable"],
    "types": []
  },
  "files": ["main.ts"]
}
JSON
cat > main.ts <<'TS'
import { type NodeSnapshot, Registry, ZooKeeper, ZooKeeperError } from "@nd/service-registry";
import { TestingServer, ZooKeeperNotFoundError } from "@nd/service-registry/testing";
import { main } from "@nd/service-registry/cli";

declare const process: { env: Record<string, string | undefined>; exit(code: number): never };

const servers = process.env.ZK_SERVERS;
if (
  typeof Registry.connect !== "function" || typeof ZooKeeper.connect !== "function" ||
  typeof TestingServer.start !== "function" || typeof main !== "function"
) {
  throw new Error("the package's exports are missing");
}
if (servers !== undefined) {
  const registry = await Registry.connect({ servers });
  await registry.setNode("/npm-smoke/node", { ok: true });
  const snapshot: NodeSnapshot = await registry.get("/npm-smoke");
  const names: string[] = Object.keys(snapshot.children);
  await registry.close();
  if (names.join() !== "node") throw new Error(`unexpected children: ${names}`);
  try {
    await ZooKeeper.connect("127.0.0.1:1", { connectTimeout: 200 });
  } catch (error) {
    if (!(error instanceof ZooKeeperError) || error.code !== "CONNECTIONLOSS") throw error;
  }
  // A test server of the testing entry, as a user's test starts one.
  {
    await using server = await TestingServer.start();
    await using zk = await ZooKeeper.connect(server.connectString);
    await zk.create("/tested", "yes");
    await server.restart();
    if ((await zk.getData("/tested")).stat.version !== 0) throw new Error("the data was lost");
  }
  await TestingServer.start({ zooKeeperHome: "/nonexistent" }).then(
    () => Promise.reject(new Error("started without ZooKeeper")),
    (error) => {
      if (!(error instanceof ZooKeeperNotFoundError)) throw error;
    },
  );
}
console.log(`npm package OK${servers === undefined ? " (types and import)" : ` (live on ${servers})`}`);
TS
"$repo/node_modules/.bin/tsc" -p tsconfig.json
node out/main.js

version=$(node -p 'require("./node_modules/@nd/service-registry/package.json").version')
printed=$(npx --no-install service-registry --version)
[ "$printed" = "$version" ] || { echo "service-registry --version printed \"$printed\", not $version"; exit 1; }
if [ -n "${ZK_SERVERS:-}" ]; then
  npx --no-install service-registry set /npm-smoke/cli '{"ok":true}' --servers "$ZK_SERVERS" >/dev/null
  listed=$(npx --no-install service-registry get /npm-smoke --format dir --servers "$ZK_SERVERS")
  [ "$listed" = "cli" ] || { echo "service-registry get printed \"$listed\""; exit 1; }
  npx --no-install service-registry get --servers "$ZK_SERVERS" | grep -q '^path: /$' ||
    { echo "service-registry get without a path did not print / in YAML"; exit 1; }
fi
echo "npx service-registry OK ($printed)"

# Every entry loads with require() too (Node 20.19+ requires ES modules without
# top-level await), as CommonJS code and tools that use require() load it.
node -e '
const { exports } = require("./node_modules/@nd/service-registry/package.json");
for (const entry of Object.keys(exports)) {
  const name = "@nd/service-registry" + entry.slice(1);
  const loaded = require(name);
  if (Object.keys(loaded).length === 0) throw new Error(`require("${name}") gave nothing`);
}
console.log(`require() OK (${Object.keys(exports).length} entries)`);
'
