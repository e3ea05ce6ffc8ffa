/**
 * The example Worker (examples/worker/) run for real in workerd, Cloudflare's
 * runtime, against a real ZooKeeper on loopback.
 */

import { after, before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { eventually } from "./helpers/wait.ts";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Registry } from "../mod.ts";
import { freePort, type ZkServer } from "./helpers/zk_server.ts";
import { useZooKeeper } from "./helpers/fixture.ts";

/** The repository's root, from tests/ or from the npm build's dist/tests/. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "deno.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the repository root");
    dir = up;
  }
  return dir;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${command} failed: ${stderr || error.message}`));
      else resolve();
    });
  });
}

async function fetchJson(
  url: string,
): Promise<{ stale: boolean; instances: { name: string; data: unknown }[] }> {
  const response = await fetch(url);
  const body = await response.text();
  if (!response.ok) throw new Error(`${response.status}: ${body}`);
  return JSON.parse(body);
}

/** Whether `url` answers with a 2xx status. */
async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url);
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

describe("The example Worker in workerd", () => {
  const root = repoRoot();
  const fx = useZooKeeper();
  let server: ZkServer;
  let registry: Registry;
  let dir: string;
  let workerd: ChildProcess | undefined;
  let port: number;

  before(async () => {
    server = fx.server;
    fx.defer(() => workerd?.kill("SIGKILL"));
    registry = await fx.registry();
    await registry.setNode("/services/web/10.0.0.1:8080", { weight: 1 });
    await registry.setNode("/services/web/10.0.0.2:8080", { weight: 2 });
    dir = await mkdtemp(join(tmpdir(), "workerd-test-"));
    // Code splitting keeps the Node transport (and its node:net import) in a
    // chunk that workerd never loads.
    await run(join(root, "node_modules/.bin/esbuild"), [
      join(root, "examples/worker/worker.ts"),
      "--bundle",
      "--splitting",
      "--format=esm",
      "--platform=neutral",
      "--target=es2022",
      "--external:node:*",
      `--outdir=${dir}`,
      "--log-level=error",
    ]);
    const modules = (await readdir(dir)).filter((f) => f.endsWith(".js")).sort((a, b) =>
      a === "worker.js" ? -1 : b === "worker.js" ? 1 : a.localeCompare(b)
    );
    port = await freePort();
    await writeFile(
      join(dir, "config.capnp"),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # workerd's default network reaches public addresses only.
    (name = "loopback", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ ${modules.map((m) => `(name = "${m}", esModule = embed "${m}")`).join(", ")} ],
  compatibilityDate = "2025-01-01",
  globalOutbound = "loopback",
  bindings = [
    (name = "ZK_SERVERS", text = "${server.connectString}"),
    (name = "CACHE", durableObjectNamespace = "ServiceCache"),
  ],
  durableObjectNamespaces = [ (className = "ServiceCache", uniqueKey = "service-cache") ],
  durableObjectStorage = (inMemory = void),
);
`,
    );
    workerd = spawn(join(root, "node_modules/.bin/workerd"), ["serve", join(dir, "config.capnp")], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    // Polled: workerd gives no sign that it listens and its Worker answers.
    await eventually(() => answers(`http://127.0.0.1:${port}/services/web`), "workerd to answer");
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("answers a service's instances, read through the registry in the Worker", async () => {
    const body = await fetchJson(`http://127.0.0.1:${port}/services/web`);
    assert.equal(body.stale, false);
    assert.deepEqual(body.instances.map((i) => i.name).sort(), ["10.0.0.1:8080", "10.0.0.2:8080"]);
    const weights = body.instances.map((i) => (i.data as { weight: number }).weight).sort();
    assert.deepEqual(weights, [1, 2]);
  });

  it("serves the list from a Durable Object that keeps its session and watch", async () => {
    const first = await fetchJson(`http://127.0.0.1:${port}/cached/web`);
    assert.equal(first.instances.length, 2);
    await registry.setNode("/services/web/10.0.0.3:8080", { weight: 3 });
    // The worker's list is read over HTTP: asking again is the only way to
    // see its cache change.
    await eventually(
      async () => (await fetchJson(`http://127.0.0.1:${port}/cached/web`)).instances.length === 3,
      "the worker's list to show the new instance",
    );
  });
});
