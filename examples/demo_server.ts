/**
 * One server of the demo: registers itself under a service and stays until
 * it is told to stop (SIGTERM or SIGINT), then unregisters.
 *
 * `deno run -A examples/demo_server.ts <service> <host:port>`
 *
 * @module
 */

import process from "node:process";
import { Registry } from "../mod.ts";

const [service, address] = process.argv.slice(-2);
const registry = await Registry.connect({ servers: process.env.ZK_SERVERS ?? "127.0.0.1:2181" });
await registry.setNode(`/demo/services/${service}/${address}`, { weight: 1 });
console.log(`    [${service} ${address}] registered (pid ${process.pid})`);

const stop = async () => {
  await registry.close();
  console.log(`    [${service} ${address}] stopped`);
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
