import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Registry, ZooKeeper } from "../mod.ts";
import { type Gateway, serve } from "../src/http/mod.ts";
import { startZooKeeper, type ZkServer } from "./helpers/zk_server.ts";

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 0x5eed14;
const COUNT = 600;
const TOKEN = "right-token";

const PIECES = [
  "v1",
  "services",
  "nodes",
  "watch",
  "web",
  "..",
  ".",
  "%2e%2e",
  "%2F",
  "%2f",
  "%00",
  "%5c",
  "%",
  "%zz",
  "%e2%82",
  "zookeeper",
  "",
  "a".repeat(300),
  "héllo",
  "x y",
  "metrics",
  "healthz",
  "app.js",
  "%0a",
  "\u0001",
  "*",
  "?index=",
  ";",
];
const METHODS = ["GET", "HEAD", "PUT", "DELETE", "POST", "PATCH", "OPTIONS", "TRACE", "FOO"];
const QUERIES = ["", "?index=abc&wait=10ms", "?wait=-1", "?wait=99999h", "?ttl=0", "?ttl=5s", "?x"];
const BODIES = [
  undefined,
  "",
  "{}",
  "[]",
  "null",
  '{"address":"10.0.0.9"}',
  '{"address":"10.0.0.9","port":80}',
  '{"address":1}',
  "\u0000\u0001",
  "{".repeat(1000),
  "x".repeat(70_000),
];
const AUTH = [undefined, "", "Bearer", "Bearer wrong", `Bearer ${TOKEN}x`, `bearer  ${TOKEN} `];

describe("The HTTP gateway under random requests", () => {
  let server: ZkServer;
  let zk: ZooKeeper;
  let registry: Registry;
  let gateway: Gateway;

  before(async () => {
    server = await startZooKeeper();
    zk = await ZooKeeper.connect(server.connectString);
    registry = await Registry.connect({ servers: server.connectString });
    await registry.setNode("/services/web/host1:8080", { address: "10.0.0.1" });
    gateway = serve(registry, {
      token: TOKEN,
      limits: { defaultWait: 50, maxWait: 100, keepAlive: 1000 },
      onError: (error) => assert.fail(`unexpected error: ${error}`),
    });
  });

  after(async () => {
    await gateway?.close();
    await registry?.close();
    await zk?.close();
    await server?.stop();
  });

  it(`${COUNT} random paths, methods, headers and bodies get answers, never a 5xx or a write`, async () => {
    const random = prng(SEED);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const before = await zk.getChildren("/services/web");
    const statuses = new Map<number, number>();
    let sent = 0;
    for (let i = 0; i < COUNT; i++) {
      const depth = Math.floor(random() * 5);
      const randomPath = "/" + Array.from({ length: depth }, () => pick(PIECES)).join("/");
      // Half aim at the routes, so that writes reach the token check.
      const path = random() < 0.5
        ? `/v1/${pick(["services", "nodes", "watch"])}/${pick(PIECES)}/${pick(PIECES)}`
        : randomPath;
      const method = pick(METHODS);
      const headers: Record<string, string> = {};
      const auth = pick(AUTH);
      if (auth !== undefined) headers.authorization = auth;
      if (random() < 0.3) headers["last-event-id"] = pick(PIECES);
      if (random() < 0.2) headers["if-none-match"] = `"${pick(PIECES)}"`;
      if (random() < 0.2) headers["content-length"] = String(Math.floor(random() * 1e9));
      const body = method === "GET" || method === "HEAD" ? undefined : pick(BODIES);
      let request: Request;
      try {
        request = new Request(`http://localhost${path}${pick(QUERIES)}`, { method, headers, body });
      } catch {
        continue; // Not a request a client could send.
      }
      const what = `#${i} ${method} ${path}`;
      sent++;
      const response = await gateway(request);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      assert.ok(response.status < 500, `${what}: ${response.status}`);
      const type = response.headers.get("content-type") ?? "";
      if (response.status >= 400) {
        assert.match(type, /^application\/json/, what);
        if (method !== "HEAD") {
          const error = (await response.json()).error;
          assert.equal(error.status, response.status, what);
          assert.equal(typeof error.message, "string", what);
        }
      } else await response.body?.cancel();
    }
    assert.deepEqual(await zk.getChildren("/services/web"), before);
    assert.deepEqual((await zk.getChildren("/services")).sort(), ["web"]);
    assert.ok(sent > COUNT * 0.8, `${sent} requests sent`);
    const seen = JSON.stringify([...statuses].sort());
    assert.ok(
      (statuses.get(400) ?? 0) > 0 && (statuses.get(401) ?? 0) > 0,
      `varied answers: ${seen}`,
    );
    // Still serving.
    const health = await gateway(new Request("http://localhost/healthz"));
    assert.equal(health.status, 200);
  });
});
