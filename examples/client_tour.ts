/**
 * A short tour of the client against a local ZooKeeper: create a node, watch
 * it, change it and see the event; watch a whole subtree; run a transaction.
 *
 * The demo (`npm run demo`) runs it after the registry's tour, against the
 * same server; alone: `ZK_SERVERS=host:port deno run -A examples/client_tour.ts`.
 *
 * @module
 */

import { MultiError, ZooKeeper } from "../mod.ts";

const servers = (globalThis as { process?: { env: Record<string, string | undefined> } }).process
  ?.env.ZK_SERVERS ?? "127.0.0.1:2181";
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const log = (...args: unknown[]) => console.log(" ", ...args);

console.log(`Connecting to ${servers}`);
await using zk = await ZooKeeper.connect(servers, { sessionTimeout: 10_000 });
log(`session 0x${zk.sessionId.toString(16)}, timeout ${zk.sessionTimeout} ms`);

const root = `/demo-${Date.now()}`;
console.log(`\nCreate ${root} and watch it`);
await zk.create(root, "hello");
const changed = new Promise<void>((resolve) => {
  zk.getData(root, {
    watch: (event) => {
      log(`watch fired: ${event.type} ${event.path}`);
      resolve();
    },
  }).then(({ data, stat }) => log(`read "${text(data)}" (version ${stat.version})`));
});

console.log("\nChange it from a second client");
{
  await using other = await ZooKeeper.connect(servers);
  await other.setData(root, "world");
  log('second client wrote "world"');
}
await changed;
log(`now reads "${text((await zk.getData(root)).data)}"`);

console.log(`\nWatch everything below ${root} with a persistent recursive watch`);
const controller = new AbortController();
const seen = (async () => {
  for await (const event of zk.watch(root, { recursive: true, signal: controller.signal })) {
    if (event.type === "reconnected") {
      log("reconnected: changes made meanwhile went unseen, read again");
      continue;
    }
    log(`event: ${event.type} ${event.path}`);
    if (event.type === "NodeDeleted" && event.path === `${root}/services/b`) controller.abort();
  }
})();
await new Promise((r) => setTimeout(r, 50));
await zk.create(`${root}/services`);
await zk.create(`${root}/services/a`, "10.0.0.1:80", { mode: "ephemeral" });
await zk.create(`${root}/services/b`, "10.0.0.2:80", { mode: "ephemeral" });
await zk.delete(`${root}/services/b`);
await seen;

console.log("\nA transaction that fails applies nothing");
try {
  await zk.multi([
    { op: "create", path: `${root}/services/c` },
    { op: "delete", path: `${root}/missing` },
  ]);
} catch (error) {
  if (!(error instanceof MultiError)) throw error;
  log(error.message);
}
log(`children: ${(await zk.getChildren(`${root}/services`)).join(", ")}`);

console.log("\nClean up");
await zk.multi([
  { op: "delete", path: `${root}/services/a` },
  { op: "delete", path: `${root}/services` },
  { op: "delete", path: root },
]);
log("done");
