/**
 * Allocation per call and memory per idle session, counted rather than timed,
 * so that the figures repeat on a busy machine.
 *
 * Bytes per call: the young generation is made larger than everything the
 * measured calls allocate, so no collection runs between two readings of
 * `heapUsed`, and the difference is what the calls allocated, garbage
 * included. Runs on Deno and on the Node build (`dist/bench/alloc_bench.js`):
 *
 * ```sh
 * node_modules/.bin/deno run -A --v8-flags=--expose-gc,--min-semi-space-size=64,--max-semi-space-size=64 bench/alloc_bench.ts
 * bash scripts/build_npm.sh && node --expose-gc --min-semi-space-size=64 --max-semi-space-size=64 dist/bench/alloc_bench.js
 * ```
 *
 * `ALLOC_SERVER=127.0.0.1:2181` uses a running server instead of starting one;
 * `ALLOC_CALLS` (2,000) and `ALLOC_SESSIONS` (200) set the counts.
 *
 * @module
 */

import process from "node:process";
import { ZooKeeper } from "../mod.ts";
import { TestingServer } from "../src/testing/mod.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("Run with --expose-gc (see the module's documentation)");

const CALLS = Number(process.env.ALLOC_CALLS ?? 2000);
const SESSIONS = Number(process.env.ALLOC_SESSIONS ?? 200);
const WINDOW = 200;
const runtime = "Deno" in globalThis ? "deno" : "node";

function heap(): number {
  return process.memoryUsage().heapUsed;
}

async function pipelined(n: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(WINDOW, n) }, worker));
}

// Allocation of `n` calls of `run`, after a warm-up of the same calls.
async function perCall(run: (n: number) => Promise<void>): Promise<number> {
  await run(CALLS);
  gc!();
  const before = heap();
  await run(CALLS);
  return (heap() - before) / CALLS;
}

const own = process.env.ALLOC_SERVER === undefined
  ? await TestingServer.start({ config: { maxClientCnxns: "0" } })
  : undefined;
const servers = process.env.ALLOC_SERVER ?? own!.connectString;
const root = `/alloc-${runtime}-${process.pid}`;
const zk = await ZooKeeper.connect(servers, { sessionTimeout: 30_000 });
const writer = await ZooKeeper.connect(servers, { sessionTimeout: 30_000 });
const results: Record<string, number> = {};
// ALLOC_ONLY=setData,watch runs only those measurements (for callgrind).
const only = process.env.ALLOC_ONLY?.split(",");
const want = (name: string) => only === undefined || only.includes(name);
try {
  const payload = new Uint8Array(128);
  await zk.create(root);
  await zk.create(`${root}/r`, payload);
  await zk.create(`${root}-s`);
  if (want("watch") || want("recursive")) {
    await pipelined(CALLS, (i) => writer.create(`${root}/w${i}`, "0"));
  }

  if (want("getData")) {
    results["getData, bytes/call"] = await perCall((n) =>
      pipelined(n, () => zk.getData(`${root}/r`))
    );
  }
  if (want("setData")) {
    results["setData, bytes/call"] = await perCall((n) =>
      pipelined(n, () => zk.setData(`${root}/r`, payload))
    );
  }
  if (want("exists")) {
    results["exists, bytes/call"] = await perCall((n) =>
      pipelined(n, () => zk.exists(`${root}/r`))
    );
  }
  // A data watch armed, its node written by another session, the event heard.
  if (want("watch")) {
    results["watch + write + event, bytes/call"] = await perCall(async (n) => {
      let seen = 0;
      let done!: () => void;
      const all = new Promise<void>((resolve) => done = resolve);
      const watch = () => {
        if (++seen === n) done();
      };
      await pipelined(n, (i) => zk.getData(`${root}/w${i}`, { watch }));
      await pipelined(n, (i) => writer.setData(`${root}/w${i}`, "1"));
      await all;
    });
  }
  // A persistent recursive watch's events alone (the writes are another session's).
  if (want("recursive")) {
    let seen = 0;
    let target = 0;
    let done: () => void = () => {};
    await zk.addWatch(root, "persistentRecursive", () => {
      if (++seen === target) done();
    });
    results["recursive event, bytes/event (writer included)"] = await perCall(async (n) => {
      seen = 0;
      target = n;
      const all = new Promise<void>((resolve) => done = resolve);
      await pipelined(n, (i) => writer.setData(`${root}/w${i}`, "2"));
      await all;
    });
    results["setData alone, bytes/call (to subtract)"] = await perCall((n) =>
      pipelined(n, () => writer.setData(`${root}-s`, "3"))
    );
  }

  // Idle sessions: heap and RSS growth per session once all are connected.
  if (want("idle")) {
    gc();
    const heap0 = heap();
    const rss0 = process.memoryUsage().rss;
    const idle: ZooKeeper[] = [];
    for (let i = 0; i < SESSIONS; i += 50) {
      idle.push(
        ...await Promise.all(
          Array.from(
            { length: Math.min(50, SESSIONS - i) },
            () => ZooKeeper.connect(servers, { sessionTimeout: 30_000 }),
          ),
        ),
      );
    }
    await Promise.all(idle.map((s) => s.exists("/")));
    gc();
    results["idle session, heap bytes"] = (heap() - heap0) / SESSIONS;
    results["idle session, RSS bytes"] = (process.memoryUsage().rss - rss0) / SESSIONS;
    await Promise.all(idle.map((s) => s.close()));
  }
} finally {
  await zk.close();
  await writer.close();
  await own?.stop();
}

console.log(`${runtime} (${CALLS} calls, ${SESSIONS} sessions)`);
for (const [name, value] of Object.entries(results)) {
  console.log(`  ${name.padEnd(50)} ${Math.round(value).toLocaleString("en-US").padStart(8)}`);
}
