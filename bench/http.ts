/**
 * The gateway's two figures: lookups per second from the cache over HTTP
 * (`GET /v1/services/web`, keep-alive, 64 at a time), and the time from a
 * change to the last of 1,000 event-stream subscribers seeing it. A
 * ZooKeeper on loopback; the gateway on `node:http`; the clients in the same
 * process (so their CPU counts against the gateway's).
 *
 * ```sh
 * node_modules/.bin/deno run -A bench/http.ts
 * ```
 *
 * With `BENCH_BEFORE=<dir>`, a copy of the project at an earlier commit
 * (`git archive <ref> | tar -x -C <dir>`), it compares instead: the earlier
 * gateway and this one serve side by side, each on its own registry, and
 * lookup rounds alternate between them (`BENCH_ROUNDS`, 3 s each), so a
 * shared machine's load falls on both alike.
 *
 * @module
 */

import { connect, type Socket } from "node:net";
import process from "node:process";
import { Registry } from "../mod.ts";
import { serve } from "../src/http/mod.ts";
import { listen } from "../src/http/node.ts";
import { startZooKeeper } from "../tests/helpers/zk_server.ts";

const LOOKUP_SECONDS = 5;
const LOOKUP_CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const SUBSCRIBERS = 1000;
const ROUNDS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** One raw event-stream subscriber: counts `instances` events and when the last came. */
interface Subscriber {
  socket: Socket;
  events: number;
  last: number;
}

function subscribe(port: number): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    const sub: Subscriber = { socket, events: 0, last: 0 };
    socket.setEncoding("utf8");
    socket.on("data", (text: string) => {
      const n = text.split("event: instances\n").length - 1;
      if (n > 0) {
        sub.events += n;
        sub.last = performance.now();
      }
    });
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.write(
        "GET /v1/watch/web HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n",
      );
      resolve(sub);
    });
  });
}

/**
 * One keep-alive connection sending lookups one after another until `end`
 * (a raw client: fetch's own cost would dominate the measure).
 */
function lookupLoop(port: number, end: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    const request = "GET /v1/services/web HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let buffer = "";
    let count = 0;
    socket.setEncoding("latin1");
    socket.once("error", reject);
    socket.once("connect", () => socket.write(request));
    socket.on("data", (text: string) => {
      buffer += text;
      for (;;) {
        const head = buffer.indexOf("\r\n\r\n");
        if (head < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buffer.slice(0, head))?.[1]);
        const chunked = /transfer-encoding: chunked/i.test(buffer.slice(0, head));
        let total: number;
        if (chunked) {
          const last = buffer.indexOf("\r\n0\r\n\r\n", head);
          if (last < 0) return;
          total = last + 7;
        } else {
          total = head + 4 + length;
          if (buffer.length < total) return;
        }
        if (!buffer.startsWith("HTTP/1.1 200")) return reject(new Error(buffer.slice(0, 40)));
        buffer = buffer.slice(total);
        count++;
        if (performance.now() >= end) {
          socket.destroy();
          return resolve(count);
        }
        socket.write(request);
      }
    });
  });
}

/** Lookups/s and CPU µs per lookup over one timed round against `port`. */
async function lookupRound(port: number, seconds: number): Promise<[number, number]> {
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const counts = await Promise.all(
    Array.from({ length: LOOKUP_CONCURRENCY }, () => lookupLoop(port, end)),
  );
  const n = counts.reduce((a, b) => a + b, 0);
  const used = process.cpuUsage(cpu0);
  return [n / ((performance.now() - t0) / 1000), (used.user + used.system) / n];
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

const server = await startZooKeeper();
const registry = await Registry.connect({ servers: server.connectString });
const elsewhere = await Registry.connect({ servers: server.connectString });
for (let i = 0; i < 10; i++) {
  await elsewhere.setNode(`/services/web/host${i}:8080`, { address: `10.0.0.${i}`, port: 8080 });
}
const before = process.env.BENCH_BEFORE;
if (before !== undefined) {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 8);
  const old = await import(`${before}/mod.ts`);
  const oldHttp = await import(`${before}/src/http/mod.ts`);
  const oldNode = await import(`${before}/src/http/node.ts`);
  const oldRegistry = await old.Registry.connect({ servers: server.connectString });
  const oldGateway = oldHttp.serve(oldRegistry);
  const newGateway = serve(registry);
  const servers = {
    before: await oldNode.listen(oldGateway, { port: 0 }),
    after: await listen(newGateway, { port: 0 }),
  };
  const results: Record<string, [number, number][]> = { before: [], after: [] };
  for (const which of ["before", "after"] as const) {
    const r = await fetch(`${servers[which].url}/v1/services/web`);
    if ((await r.json()).instances.length !== 10) throw new Error(`${which} not ready`);
  }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ["before", "after"] as const : ["after", "before"] as const;
    for (const which of order) results[which].push(await lookupRound(servers[which].port, 3));
  }
  console.log(`${process.version}, node:http adapter, ${rounds} alternating rounds of 3 s`);
  for (const which of ["before", "after"] as const) {
    const rates = results[which].map((r) => r[0]);
    const cpus = results[which].map((r) => r[1]);
    console.log(
      `${which}: median ${Math.round(median(rates))} lookups/s ` +
        `(${rates.map(Math.round).join(", ")}), median ${median(cpus).toFixed(0)} µs of CPU each ` +
        `(${cpus.map((c) => c.toFixed(0)).join(", ")})`,
    );
  }
  await oldGateway.close();
  await newGateway.close();
  await servers.before.close();
  await servers.after.close();
  await oldRegistry.close();
  await registry.close();
  await elsewhere.close();
  await server.stop();
  process.exit(0);
}
const gateway = serve(registry);
const runtime = "Deno" in globalThis ? "Deno" : "Bun" in globalThis ? "Bun" : "Node";
// On Deno, its own server unless BENCH_NODE_HTTP is set; elsewhere the node:http adapter.
interface DenoServe {
  serve(
    options: { hostname: string; port: number; onListen: () => void },
    handler: (request: Request) => Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> };
}
const deno = (globalThis as { Deno?: DenoServe }).Deno;
const native = deno !== undefined && process.env.BENCH_NODE_HTTP === undefined;
const http = native
  ? (() => {
    const s = deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, gateway);
    const port = s.addr.port;
    return { port, url: `http://127.0.0.1:${port}`, close: () => s.shutdown() };
  })()
  : await listen(gateway, { port: 0 });
console.log(
  `${runtime} ${process.version}, server: ${native ? "Deno.serve" : "node:http adapter"}`,
);

// Lookups over HTTP.
const url = `${http.url}/v1/services/web`;
if ((await (await fetch(url)).json()).instances.length !== 10) throw new Error("not ready");
let lookups = 0;
const end = performance.now() + LOOKUP_SECONDS * 1000;
const started = performance.now();
const cpu = process.cpuUsage();
await Promise.all(Array.from({ length: LOOKUP_CONCURRENCY }, () => lookupLoop(http.port, end)))
  .then((counts) => lookups = counts.reduce((a, b) => a + b, 0));
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
const cpuPerLookup = (used.user + used.system) / lookups;
console.log(
  `lookups over HTTP: ${Math.round(lookups / seconds)}/s (${LOOKUP_CONCURRENCY} concurrent), ` +
    `${cpuPerLookup.toFixed(0)} µs of CPU each (server and client), ` +
    `${((used.user + used.system) / 1e4 / seconds).toFixed(0)}% of a core`,
);

// Fan-out to event-stream subscribers.
const subscribers: Subscriber[] = [];
for (let i = 0; i < SUBSCRIBERS; i += 100) {
  subscribers.push(...await Promise.all(Array.from({ length: 100 }, () => subscribe(http.port))));
}
await until(() => subscribers.every((s) => s.events >= 1), 30_000, "every first event");
const times: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const t0 = performance.now();
  await elsewhere.setNode(`/services/web/extra${round}:8080`, { address: "10.0.9.9", port: 1 });
  await until(() => subscribers.every((s) => s.events >= round + 1), 30_000, "every subscriber");
  times.push(Math.max(...subscribers.map((s) => s.last)) - t0);
  await new Promise((r) => setTimeout(r, 200));
}
console.log(
  `change to the last of ${SUBSCRIBERS} subscribers: median ${median(times).toFixed(1)} ms, ` +
    `max ${Math.max(...times).toFixed(1)} ms (${ROUNDS} rounds: ${
      times.map((t) => t.toFixed(1)).join(", ")
    })`,
);

for (const s of subscribers) s.socket.destroy();
await gateway.close();
await http.close();
await registry.close();
await elsewhere.close();
await server.stop();
process.exit(0);
