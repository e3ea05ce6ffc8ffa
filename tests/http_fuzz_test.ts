import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import type { Registry, ZooKeeper } from "../mod.ts";
import { type Gateway, serve } from "../src/http/mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { rawExchange, type RawReply, serveOn, serverKinds } from "./helpers/http_servers.ts";
import { eventually } from "./helpers/wait.ts";
import { seededRandom as prng } from "./helpers/random.ts";

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
  const fx = useZooKeeper();
  let zk: ZooKeeper;
  let registry: Registry;
  let gateway: Gateway;

  before(async () => {
    zk = await fx.connect();
    registry = await fx.registry();
    await registry.setNode("/services/web/host1:8080", { address: "10.0.0.1" });
    gateway = serve(registry, {
      token: TOKEN,
      limits: { defaultWait: 50, maxWait: 100, keepAlive: 1000 },
      onError: (error) => assert.fail(`unexpected error: ${error}`),
    });
    fx.defer(() => gateway.close());
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

const RAW_COUNT = 300;
const RAW_METHODS = [
  "GET",
  "GET",
  "HEAD",
  "PUT",
  "PUT",
  "PUT",
  "DELETE",
  "POST",
  "OPTIONS",
  "G\u00e9T",
];
const HOSTS = ["localhost", "127.0.0.1", "evil.example", "x/v1/nodes/web", "", "[::1]", "a b"];
type Behaviour = "normal" | "earlyClose" | "neverRead" | "slowSend";
const BEHAVIOURS: Behaviour[] = ["normal", "normal", "earlyClose", "neverRead", "slowSend"];

function deepJson(depth: number): string {
  return `{"address":"10.0.0.9","payload":${"[".repeat(depth)}${"]".repeat(depth)}}`;
}

/** A random body: valid instances, deep ones, large ones, not UTF-8, not JSON. */
function randomBody(random: () => number): Uint8Array {
  const encoder = new TextEncoder();
  const kind = Math.floor(random() * 9) - 2;
  if (kind <= 0) return encoder.encode(`{"address":"10.0.${Math.floor(random() * 255)}.1"}`);
  if (kind === 1) return encoder.encode(deepJson(1 + Math.floor(random() * 5000)));
  if (kind === 2) return new Uint8Array(Math.floor(random() * 200_000)).fill(0x7b);
  if (kind === 3) return new Uint8Array([0xff, 0xfe, 0x00, 0x80]);
  if (kind === 4) return encoder.encode(`{"address":"a","port":${Math.floor(random() * 1e6)}}`);
  if (kind === 5) return new Uint8Array(0);
  return encoder.encode(
    `{"address":"10.0.0.2","payload":{"k":"${"v".repeat(random() * 70_000)}"}}`,
  );
}

function chunksOf(bytes: Uint8Array, random: () => number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(random() * 20_000);
    parts.push(bytes.subarray(at, at + size));
    at += size;
  }
  return parts;
}

describe("The HTTP gateway under random connections", () => {
  const fx = useZooKeeper();
  let zk: ZooKeeper;
  let registry: Registry;

  before(async () => {
    zk = await fx.connect();
    registry = await fx.registry();
    await registry.setNode("/services/web/host1:8080", { address: "10.0.0.1" });
  });

  for (const [n, kind] of serverKinds().entries()) {
    it(`${RAW_COUNT} random exchanges on ${kind} leave it serving, with exactly the accepted writes in ZooKeeper`, async () => {
      const errors: unknown[] = [];
      const gateway = serve(registry, {
        token: TOKEN,
        limits: { defaultWait: 50, maxWait: 100, keepAlive: 1000, maxQueuedBytes: 4096 },
        onError: (error) => errors.push(error),
      });
      const http = await serveOn(kind, gateway);
      const random = prng(SEED + n);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
      const service = `fz${n}`;
      const expected = new Set<string>();
      const seen = new Map<string, number>();
      const unread: { hangUp: AbortController; exchange: Promise<RawReply> }[] = [];
      try {
        for (let i = 0; i < RAW_COUNT; i++) {
          const method = pick(RAW_METHODS);
          const behaviour = method === "PUT" || method === "DELETE"
            ? pick(BEHAVIOURS.filter((b) => b !== "neverRead"))
            : pick(BEHAVIOURS);
          const id = `i${Math.floor(random() * 4)}`;
          const aimed = random() < 0.6;
          const path = aimed
            ? `/v1/services/${service}/${id}${method === "PUT" ? "?ttl=1h" : ""}`
            : "/" + Array.from({ length: Math.floor(random() * 4) }, () => pick(PIECES)).join("/") +
              pick(QUERIES);
          const lines = [`${method} ${path.replaceAll(" ", "%20")} HTTP/1.1`];
          const host = random() < 0.8 ? "localhost" : pick(HOSTS);
          if (host !== "") lines.push(`Host: ${host}`);
          if (random() < 0.7) {
            lines.push(`Authorization: ${random() < 0.8 ? `Bearer ${TOKEN}` : pick(AUTH) ?? ""}`);
          }
          if (random() < 0.2) lines.push("Expect: 100-continue");
          if (random() < 0.2) lines.push("Accept: text/event-stream");
          if (random() < 0.1) lines.push("Content-Encoding: gzip");
          if (random() < 0.1) lines.push(`X-${pick(["a", "b"])}: ${"z".repeat(random() * 4000)}`);
          const body = method === "GET" || method === "HEAD"
            ? new Uint8Array(0)
            : randomBody(random);
          const chunkedBody = body.length > 0 && random() < 0.4;
          let parts = chunksOf(body, random);
          if (chunkedBody) {
            lines.push("Transfer-Encoding: chunked");
            const framed = parts.map((p) =>
              new Uint8Array([
                ...new TextEncoder().encode(`${p.length.toString(16)}\r\n`),
                ...p,
                13,
                10,
              ])
            );
            parts = [...framed, new TextEncoder().encode("0\r\n\r\n")];
          } else if (body.length > 0) lines.push(`Content-Length: ${body.length}`);
          lines.push("Connection: close");
          const head = lines.join("\r\n") + "\r\n\r\n";
          if (behaviour === "earlyClose") {
            // Hangs up before the body is whole: nothing may be written.
            parts = parts.length > 1 ? parts.slice(0, Math.floor(parts.length / 2)) : [];
          }
          const hangUp = new AbortController();
          const exchange = rawExchange(http.port, head, {
            body: parts,
            slow: behaviour === "slowSend",
            neverRead: behaviour === "neverRead",
            signal: hangUp.signal,
            timeout: 15_000,
            until: behaviour === "earlyClose" ? () => true : undefined,
          });
          let reply: RawReply;
          if (behaviour === "neverRead") {
            // Left open, unread, until the end: the gateway must serve on meanwhile.
            unread.push({ hangUp, exchange });
            reply = { text: "", status: 0, ending: "open" };
          } else {
            // An early close goes away while the server may still be reading.
            if (behaviour === "earlyClose") queueMicrotask(() => hangUp.abort());
            reply = await exchange;
          }
          const what = `#${i} ${kind} ${behaviour} ${method} ${path} (${body.length} bytes${
            chunkedBody ? ", chunked" : ""
          })`;
          seen.set(
            `${behaviour} ${reply.status}`,
            (seen.get(`${behaviour} ${reply.status}`) ?? 0) + 1,
          );
          if (behaviour === "normal" || behaviour === "slowSend") {
            assert.ok(reply.status > 0, `${what}: an answer`);
            // A server's own parser may refuse what never reaches the gateway (Bun
            // answers 505 to a method that is not ASCII); the gateway's answers,
            // which all carry nosniff, are never a 5xx but 503.
            const fromGateway = /\r\nx-content-type-options: nosniff/i.test(reply.text);
            assert.ok(
              !fromGateway || reply.status < 500 || reply.status === 503,
              `${what}: ${reply.status}`,
            );
            if (aimed && method === "PUT" && [200, 201].includes(reply.status)) expected.add(id);
            if (aimed && method === "DELETE" && reply.status === 204) expected.delete(id);
          }
          const health = await fetch(`${http.url}/healthz`);
          assert.equal(health.status, 200, `${what}: /healthz`);
          await health.body?.cancel();
          const children = await zk.getChildren(`/services/${service}`).catch(() => []);
          assert.deepEqual(
            children.sort(),
            [...expected].sort(),
            `${what}: ZooKeeper holds the accepted writes`,
          );
        }
        assert.deepEqual(errors, []);
        const statuses = [...seen.keys()].join(", ");
        assert.ok(seen.size > 6, `varied answers: ${statuses}`);
        assert.ok(
          expected.size > 0 || [...seen.keys()].some((k) => / 20[14]$/.test(k)),
          `writes accepted: ${statuses}`,
        );
      } finally {
        for (const { hangUp } of unread) hangUp.abort();
        await Promise.all(unread.map((u) => u.exchange));
        await gateway.close();
        await http.close();
      }
      await eventually(
        async () => (await zk.getChildren(`/services/${service}`).catch(() => [])).length === 0,
        "the registrations to go with the gateway",
      );
    });
  }
});
