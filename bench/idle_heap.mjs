// What an idle session keeps on Node's heap, ours or node-zookeeper-client's:
// the heap used after a collection, before and after opening N sessions (each
// having answered one `exists`), divided by N. Counted, not timed: the figure
// repeats to within a few bytes. One client per process:
//
//   bash scripts/build_npm.sh
//   node --expose-gc bench/idle_heap.mjs ours [N] [connect string]
//   node --expose-gc bench/idle_heap.mjs nzc [N] [connect string]
//
// N defaults to 500; without a connect string a server is started (with no
// limit of connections per address).
import process from "node:process";
import zookeeper from "node-zookeeper-client";
import { ZooKeeper } from "../dist/mod.js";
import { TestingServer } from "../dist/src/testing/mod.js";

const [which = "ours", count = "500", given] = process.argv.slice(2);
const n = Number(count);
const gc = globalThis.gc;
if (gc === undefined) throw new Error("Run with --expose-gc");
if (which !== "ours" && which !== "nzc") throw new Error(`ours or nzc, not ${which}`);

const server = given === undefined
  ? await TestingServer.start({ config: { maxClientCnxns: "0" } })
  : undefined;
const servers = given ?? server.connectString;

const ours = {
  open: () => ZooKeeper.connect(servers, { sessionTimeout: 30_000 }),
  check: (zk) => zk.exists("/"),
  close: (zk) => zk.close(),
};
const nzc = {
  open: () =>
    new Promise((resolve) => {
      const client = zookeeper.createClient(servers, { sessionTimeout: 30_000 });
      client.once("connected", () => resolve(client));
      client.connect();
    }),
  check: (client) =>
    new Promise((resolve, reject) => client.exists("/", (e) => e ? reject(e) : resolve())),
  close: (client) => client.close(),
};
const { open, check, close } = which === "ours" ? ours : nzc;

function heapUsed() {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

// One session first, so that what every client loads once is not counted.
const first = await open();
await check(first);
const before = heapUsed();
const sessions = [];
for (let i = 0; i < n; i += 50) {
  sessions.push(...await Promise.all(Array.from({ length: Math.min(50, n - i) }, open)));
}
for (const s of sessions) await check(s);
const perSession = (heapUsed() - before) / n;
console.log(`${which}: ${Math.round(perSession)} bytes of heap per idle session (${n} sessions)`);
await Promise.all([...sessions, first].map(close));
await server?.stop();
process.exit(0);
