/**
 * Time to restore 50,000 watches after a reconnect, for this client:
 * a session holds 50,000 exist watches, a loopback proxy cuts its connection,
 * and the clock runs until it is `reconnected` and a round trip has come back
 * (the server has then processed every SetWatches batch sent before it).
 *
 * `deno run -A bench/reconnect.ts` or `node dist/bench/reconnect.js`; the
 * benchmark task runs both.
 *
 * @module
 */

import process from "node:process";
import { ZooKeeper } from "../mod.ts";
import { startFaultProxy } from "../tests/helpers/fault_proxy.ts";
import { startZooKeeper } from "../tests/helpers/zk_server.ts";

const server = await startZooKeeper();
const proxy = await startFaultProxy({ host: server.host, port: server.port });
const zk = await ZooKeeper.connect(proxy.address, { sessionTimeout: 30_000, reconnectDelay: 1 });
const watch = () => {};
for (let i = 0; i < 50_000; i += 5000) {
  await Promise.all(
    Array.from({ length: 5000 }, (_, j) => zk.exists(`/w/node-${i + j}`, { watch })),
  );
}
const times: number[] = [];
for (let round = 0; round < 5; round++) {
  const reconnected = new Promise<void>((resolve) => {
    const off = zk.onStateChange((s) => {
      if (s.type !== "reconnected") return;
      off();
      resolve();
    });
  });
  const start = performance.now();
  proxy.cut();
  await reconnected;
  await zk.exists("/");
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const runtime = "Deno" in globalThis ? "Deno" : `Node ${process.version}`;
console.log(
  `${runtime}: 50,000 watches restored after a reconnect in ${times[2].toFixed(0)} ms ` +
    `(median of 5, ${times[0].toFixed(0)}–${times[4].toFixed(0)} ms)`,
);
await zk.close();
await proxy.close();
await server[Symbol.asyncDispose]();
process.exit(0);
