/**
 * Starts a standalone ZooKeeper on loopback for the demo and `deno task zk`,
 * prints `ZK_SERVERS=<connect string>`, and keeps it until it is told to stop.
 *
 * @module
 */

import process from "node:process";
import { freePort, TestingServer } from "../src/testing/mod.ts";

const wanted = process.env.ZK_PORT ? Number(process.env.ZK_PORT) : await freePort();
const server = await TestingServer.start({ port: wanted });
console.log(`ZK_SERVERS=${server.connectString}`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
setInterval(() => {}, 1 << 30);
