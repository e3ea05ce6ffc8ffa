/**
 * The registry's tour: servers of two services register from separate
 * processes, a watcher follows both lists, one server stops and comes back,
 * and the watcher sees each change as it happens. Then the client's own tour.
 *
 * `npm run demo` (or `deno task demo`) starts a ZooKeeper when none answers
 * and runs this; `ZK_SERVERS` points it at another one.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { type NodeSnapshot, Registry } from "../mod.ts";

const servers = process.env.ZK_SERVERS ?? "127.0.0.1:2181";
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const runtime = "Deno" in globalThis ? ["run", "-A"] : ["--import", "tsx"];

function startServer(service: string, address: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...runtime, here("./demo_server.ts"), service, address], {
    env: { ...process.env, ZK_SERVERS: servers },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve) => {
    child.stdout!.on("data", (chunk) => {
      process.stdout.write(chunk);
      if (String(chunk).includes("registered")) resolve(child);
    });
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

const show = (s: NodeSnapshot) => Object.keys(s.children).sort().join(", ") || "(none)";

console.log(`Service registry demo on ZooKeeper at ${servers}\n`);
await using watcher = await Registry.connect({ servers });
const changes: string[] = [];
for (const service of ["web", "db"]) {
  const path = `/demo/services/${service}`;
  await watcher.get(path, (s) => {
    const line = `  watcher: ${service} is now [${show(s)}]`;
    changes.push(line);
    console.log(line);
  });
}
const settle = async (count: number) => {
  for (let i = 0; i < 100 && changes.length < count; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
};

console.log("1. Three servers register, each from its own process:");
const web1 = await startServer("web", "10.0.0.1:8080");
const web2 = await startServer("web", "10.0.0.2:8080");
const db1 = await startServer("db", "10.0.1.1:5432");
await settle(3);

console.log("\n2. Lookups are served from the watcher's cache:");
const web = await watcher.get("/demo/services/web");
for (const [name, data] of Object.entries(web.children)) {
  console.log(`  ${name}: ${JSON.stringify(data)}`);
}

console.log("\n3. web 10.0.0.2 stops; the watcher sees it leave:");
const before = changes.length;
await stopServer(web2);
await settle(before + 1);

console.log("\n4. It comes back; the watcher sees it return:");
const web2again = await startServer("web", "10.0.0.2:8080");
await settle(before + 2);

console.log("\n5. Everyone stops:");
await Promise.all([web1, web2again, db1].map(stopServer));
await settle(before + 4);

console.log("\nAnd the client underneath, on its own:");
await import("./client_tour.ts");
