#!/usr/bin/env bash
# Type-checks a user's program against the packed package's declarations
# (scripts/build_npm.sh) with TypeScript 5 and 7, `skipLibCheck: false`, under
# `tsc --init`'s defaults (exactOptionalPropertyTypes, `types: []`) and under a
# plain strict nodenext config. First without @types/node, importing every
# entry that does not need Node; then with it, importing every entry.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tarball=$(ls "$repo"/dist/nd-service-registry-*.tgz)
ts5=$(node -p 'require(process.argv[1]).devDependencies.typescript' "$repo/package.json")
ts7=$(node -p 'require(process.argv[1]).devDependencies.typescript7' "$repo/package.json")
types_node=$(node -p 'require(process.argv[1]).devDependencies["@types/node"]' "$repo/package.json")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
echo '{ "name": "types-check", "private": true, "type": "module" }' > package.json
npm install --no-audit --no-fund --silent "$tarball" "typescript@$ts5" "typescript7@$ts7"

# Options given values that may be undefined, as read from the environment:
# exactOptionalPropertyTypes must accept them.
common='
import { Lock, Registry, ServiceDiscovery, ZooKeeper, ZooKeeperError } from "@nd/service-registry";
import { main, USAGE } from "@nd/service-registry/cli";
import { PrometheusClientRecorder, serve } from "@nd/service-registry/http";
import { denoTransport } from "@nd/service-registry/transport/deno";
import { cloudflareTransport } from "@nd/service-registry/transport/cloudflare";
import { TestingServer } from "@nd/service-registry/testing";

declare const env: Record<string, string | undefined>;
const timeout = env.TIMEOUT === undefined ? undefined : Number(env.TIMEOUT);

export async function run(): Promise<void> {
  const recorder = new PrometheusClientRecorder();
  const registry = await Registry.connect({
    servers: env.ZK_SERVERS,
    connectTimeout: timeout,
    username: env.ZK_USER,
    password: env.ZK_PASSWORD,
    metrics: recorder,
  });
  const gateway = serve(registry, { token: env.GATEWAY_TOKEN, base: env.BASE });
  await registry.setNode("/services/web/a:1", { port: 1 }, { ephemeral: env.KEEP === undefined });
  const snapshot = await registry.get("/services/web");
  const names: string[] = Object.keys(snapshot.children);
  const lock: Lock = registry.lock("/locks/a", { wait: timeout });
  new ServiceDiscovery(registry);
  const zk = await ZooKeeper.connect(env.ZK_SERVERS ?? "127.0.0.1:2181", {
    sessionTimeout: timeout,
    readOnly: env.RO === undefined ? undefined : true,
  });
  await zk.close();
  const server = await TestingServer.start({ port: timeout });
  await server.close();
  const code: number = await main(["--version"]);
  void [gateway, names, lock, code, USAGE, denoTransport, cloudflareTransport, ZooKeeperError];
}
'
node_only='
import { listen } from "@nd/service-registry/http/node";
import { nodeTransport } from "@nd/service-registry/transport/node";
import { serve } from "@nd/service-registry/http";
import { Registry } from "@nd/service-registry";

export async function serveOnNode(registry: Registry): Promise<string> {
  const server = await listen(serve(registry), { host: process.env.HOST, port: undefined });
  void nodeTransport;
  return server.url;
}
'
plain='{
  "compilerOptions": {
    "target": "ES2022", "module": "nodenext", "strict": true, "skipLibCheck": false, "noEmit": true
  }
}'

check() { # <label> <dir>
  for tsc in "node_modules/typescript/bin/tsc" "node_modules/typescript7/bin/tsc"; do
    local version
    version=$(node "$tsc" --version)
    for config in init plain; do
      rm -rf "$2.$config" && mkdir "$2.$config" && cp "$2"/*.ts "$2.$config/"
      if [ $config = init ]; then
        (cd "$2.$config" && node "../$tsc" --init >/dev/null)
        sed -i 's/"skipLibCheck": true/"skipLibCheck": false/' "$2.$config/tsconfig.json"
        grep -q '"skipLibCheck": false' "$2.$config/tsconfig.json"
      else
        echo "$plain" > "$2.$config/tsconfig.json"
      fi
      echo "$1, $version, $config config"
      node "$tsc" -p "$2.$config" --noEmit
    done
  done
}

mkdir core && echo "$common" > core/user.ts
check "entries that do not need Node, without @types/node" core

npm install --no-audit --no-fund --silent "@types/node@$types_node"
mkdir all && echo "$common" > all/user.ts && echo "$node_only" > all/node_user.ts
check "every entry, with @types/node" all
echo "types OK"
