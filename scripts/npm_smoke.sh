#!/usr/bin/env bash
# Installs the packed package (scripts/build_npm.sh) into a fresh Node project,
# as a user would, then type-checks a small program against its declarations
# and runs it: the import by name, the types, and a real session when
# ZK_SERVERS names a server.
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

declare const process: { env: Record<string, string | undefined>; exit(code: number): never };

const servers = process.env.ZK_SERVERS;
if (typeof Registry.connect !== "function" || typeof ZooKeeper.connect !== "function") {
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
}
console.log(`npm package OK${servers === undefined ? " (types and import)" : ` (live on ${servers})`}`);
TS
"$repo/node_modules/.bin/tsc" -p tsconfig.json
node out/main.js
