/**
 * The registry-scale benchmark: a service of N instances on a loopback
 * ZooKeeper, W watchers (each its own session) following it, then one child's
 * data changes, one child is added, one is removed; for each, the requests
 * per watcher the server received and the time until every watcher saw it.
 * Then a resync after a cut connection, with nothing and with 1% of the
 * children changed meanwhile. Each client runs its W watchers in a process of
 * its own, one client at a time, against the same server and service.
 *
 * `deno task bench:registry` (or `bash bench/registry/run.sh`), with
 * `--n 1000 --w 50` for one size (default: N=1,000/W=50, N=10,000/W=20 and
 * N=100,000/W=2),
 * `--peers ours,curator,curator-tree,kazoo`, `--reps 7` (each event),
 * `--resync-reps 1` and `--out registry` (the result files' name). The
 * results are written after each client, so an interrupted run keeps what
 * it measured.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ZooKeeper } from "../../mod.ts";
import { startFaultProxy } from "../../tests/helpers/fault_proxy.ts";
import { startZooKeeper, type ZkServer } from "../../tests/helpers/zk_server.ts";
import { WatcherProgram } from "./program.ts";
import { MAX_REPLY, now } from "./protocol.ts";
import { type Measurement, writeReport } from "./report.ts";

const root = new URL("../..", import.meta.url).pathname;
const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string" },
    w: { type: "string" },
    peers: { type: "string", default: "ours,curator,curator-tree,kazoo" },
    reps: { type: "string", default: "7" },
    "resync-reps": { type: "string", default: "1" },
    out: { type: "string", default: "registry" },
  },
});
const sizes: [number, number][] = flags.n || flags.w
  ? [[Number(flags.n ?? 1000), Number(flags.w ?? 50)]]
  : [[1000, 50], [10_000, 20], [100_000, 2]];
const peers = flags.peers.split(",").map((p) => p.trim()).filter((p) => p !== "");
const reps = Number(flags.reps);
const resyncReps = Number(flags["resync-reps"]);
const SERVICE = "/services/bench";
/**
 * A window is over once the server has had only idle traffic for CALM_POLLS
 * polls SETTLE_MS apart (RESYNC_CALM_POLLS after a reconnect: kazoo's
 * TreeCache re-reads in bursts with pauses of more than a second between
 * them when 50 sessions share one Python process).
 */
const SETTLE_MS = 500;
const CALM_POLLS = 3;
const RESYNC_CALM_POLLS = 10;
const trace = Deno.env.get("REGISTRY_BENCH_TRACE") !== undefined;

const JUTE_MAXBUFFER = `-Djute.maxbuffer=${MAX_REPLY}`;
const javaCp = `${root}bench/.build/registry:${Deno.env.get("REGISTRY_CLASSPATH") ?? ""}`;
// Both Curator caches run in one program; its last argument picks the cache.
const java = [
  "java",
  "-Xmx2g",
  "-XX:+UseSerialGC",
  JUTE_MAXBUFFER,
  "-cp",
  javaCp,
  "CuratorWatchers",
];
const commands: Record<string, { label: string; command: string[] }> = {
  ours: {
    label: "ours (Registry.get, Deno)",
    command: [
      Deno.execPath(),
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      `${root}bench/registry/ours_watchers.ts`,
    ],
  },
  curator: { label: "Curator 5.4 CuratorCache", command: java },
  "curator-tree": { label: "Curator 5.4 TreeCache", command: java },
  kazoo: {
    label: "kazoo 2.8 TreeCache",
    command: ["/usr/bin/python3", `${root}bench/registry/kazoo_watchers.py`],
  },
};
for (const peer of peers) {
  if (!(peer in commands)) throw new Error(`Unknown peer "${peer}": ${Object.keys(commands)}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const childName = (i: number) => `instance-${String(i).padStart(5, "0")}`;
/** About 100 bytes of JSON, like a registered instance's. */
const instanceData = (i: number, rev: string) =>
  JSON.stringify({
    rev,
    host: `10.0.${(i >> 8) & 255}.${i & 255}`,
    port: 8080,
    zone: "zone-a",
    weight: 100,
    pid: 10_000 + i,
  });

let fourLetterWords = 0;

/**
 * The server's `zk_packets_received`, less the `mntr` commands this driver
 * sent (the server counts each as a packet).
 */
async function packets(server: ZkServer): Promise<number> {
  const mntr = await server.fourLetter("mntr");
  fourLetterWords++;
  const m = /zk_packets_received\s+(\d+)/.exec(mntr);
  if (m === null) throw new Error(`No zk_packets_received in mntr: ${mntr.slice(0, 200)}`);
  return Number(m[1]) - fourLetterWords;
}

/** Packets per millisecond with only the sessions' pings going on. */
async function idleRate(server: ZkServer, ms: number): Promise<number> {
  const p0 = await packets(server);
  const t0 = now();
  await sleep(ms);
  return (await packets(server) - p0) / (now() - t0);
}

/**
 * Waits until the server gets no more than the idle traffic for a while,
 * and returns its packet count and when it was read.
 */
async function quiesce(
  server: ZkServer,
  rate: number,
  polls = CALM_POLLS,
): Promise<{ p: number; t: number }> {
  let last = { p: await packets(server), t: now() };
  for (let calm = 0; calm < polls;) {
    await sleep(SETTLE_MS);
    const next = { p: await packets(server), t: now() };
    if (trace) console.error(`  +${next.p - last.p} packets in ${(next.t - last.t).toFixed(0)} ms`);
    calm = next.p - last.p <= 1 + 2 * rate * (next.t - last.t) ? calm + 1 : 0;
    last = next;
  }
  return last;
}

/** Requests per watcher in a window, less the writer's and the idle pings. */
function perWatcher(
  p0: number,
  t0: number,
  end: { p: number; t: number },
  rate: number,
  writes: number,
  w: number,
): number {
  return (end.p - p0 - writes - rate * (end.t - t0)) / w;
}

const programArgs = (peer: string, servers: string, n: number, w: number) => [
  ...commands[peer].command,
  servers,
  SERVICE,
  String(w),
  String(n),
  ...(peer === "curator-tree" ? ["tree"] : peer === "curator" ? ["cache"] : []),
];

async function start(peer: string, servers: string, n: number, w: number) {
  const program = new WatcherProgram(peer, programArgs(peer, servers, n, w), root);
  await program.waitUntil("ready", (r) => r.some((l) => l.type === "ready"), 900_000);
  return program;
}

const results: Measurement[] = [];
const server = await startZooKeeper({
  maxSessionTimeout: 60_000,
  config: { maxClientCnxns: "0" },
});
const writer = await ZooKeeper.connect(server.connectString, { sessionTimeout: 60_000 });
const proxy = await startFaultProxy({ host: server.host, port: server.port });
try {
  for (const [n, w] of sizes) {
    const size = `N=${n.toLocaleString("en")}, W=${w}`;
    console.error(`=== ${size}`);
    await writer.create("/services").catch(() => {});
    await writer.create(SERVICE).catch(() => {});
    for (let i = 0; i < n; i += 500) {
      await Promise.all(
        Array.from(
          { length: Math.min(500, n - i) },
          (_, j) => writer.create(`${SERVICE}/${childName(i + j)}`, instanceData(i + j, "r0")),
        ),
      );
    }
    for (const peer of peers) {
      const label = commands[peer].label;
      const record = (m: Omit<Measurement, "size" | "client" | "n" | "w">) => {
        results.push({ size, n, w, client: label, ...m });
        console.error(
          `${size} ${peer} ${m.event}: ${m.requests.toFixed(1)} requests/watcher, ` +
            `${m.ms?.toFixed(0) ?? "-"} ms` +
            (m.reconnectMs === undefined
              ? ""
              : `, all reconnected after ${m.reconnectMs.toFixed(0)} ms`) +
            (m.afterReconnectMs === undefined
              ? ""
              : `, at most ${m.afterReconnectMs.toFixed(0)} ms from a reconnect to the view`),
        );
      };

      // One client's failure is reported and leaves the others' figures.
      const failed = (phase: string, error: unknown) => {
        console.error(`${size} ${peer} ${phase} failed: ${(error as Error).message}`);
        results.push({
          size,
          n,
          w,
          client: label,
          event: `${phase}: failed`,
          requests: NaN,
          note: (error as Error).message.slice(0, 300),
        });
      };

      // Events, on direct connections.
      try {
        const program = await start(peer, server.connectString, n, w);
        try {
          const ready = program.received.find((l) => l.type === "ready");
          if (ready?.type === "ready" && ready.memoryBytes !== undefined) {
            results.push({
              size,
              n,
              w,
              client: label,
              event: "memory per cached child",
              requests: NaN,
              bytesPerChild: ready.memoryBytes / (n * w),
              note: ready.memoryMethod,
            });
          }
          const rate = await idleRate(server, 3000);
          for (let rep = 0; rep < reps; rep++) {
            const target = (rep * 97 + 13) % n;
            const added = `added-${peer}-${rep}`;
            const events: [string, Record<string, string | null>, () => Promise<unknown>][] = [
              [
                "a child's data changes",
                { [childName(target)]: `${peer}-${rep}` },
                () =>
                  writer.setData(
                    `${SERVICE}/${childName(target)}`,
                    instanceData(target, `${peer}-${rep}`),
                  ),
              ],
              [
                "a child is added",
                { [added]: "new" },
                () => writer.create(`${SERVICE}/${added}`, instanceData(n, "new")),
              ],
              ["a child is removed", { [added]: null }, () => writer.delete(`${SERVICE}/${added}`)],
            ];
            for (const [event, want, write] of events) {
              const id = `${peer}-${rep}-${event}`;
              await program.expect({ id, want });
              const p0 = await packets(server);
              const tp0 = now();
              await write();
              const t0 = now();
              await program.waitUntil(
                `${w} watchers seeing ${id}`,
                () => program.seen(id).length >= w,
                120_000,
              );
              const ms = Math.max(...program.seen(id)) - t0;
              const cpu = program.cpuUs(id);
              const end = await quiesce(server, rate);
              record({
                event,
                rep,
                requests: perWatcher(p0, tp0, end, rate, 1, w),
                ms,
                cpuUsPerWatcher: cpu === undefined ? undefined : cpu / w,
              });
            }
          }
        } finally {
          await program.quit();
        }
      } catch (error) {
        failed("events", error);
        for (let rep = 0; rep < reps; rep++) {
          await writer.delete(`${SERVICE}/added-${peer}-${rep}`).catch(() => {});
        }
      }

      // A resync after a cut, with the watchers behind the proxy; not tried
      // by a program that could not load the service.
      try {
        const loaded = !results.some((r) =>
          r.size === size && r.client === label && r.event === "events: failed" &&
          /exited before ready/.test(r.note ?? "")
        );
        if (!loaded) throw new Error("not run: the program did not load the service");
        const behind = await start(peer, proxy.address, n, w);
        try {
          const rateBehind = await idleRate(server, 3000);
          const changed = Math.max(1, Math.round(n / 100));
          for (
            const [event, count] of [["resync, nothing changed", 0], [
              "resync, 1% changed",
              changed,
            ]] as const
          ) {
            for (let rep = 0; rep < resyncReps; rep++) {
              const id = `${peer}-resync-${count}-${rep}`;
              const rev = `resync-${peer}-${rep}`;
              const targets = Array.from({ length: count }, (_, i) => (i * 101 + rep * 7) % n);
              if (count > 0) {
                await behind.expect({
                  id,
                  want: Object.fromEntries(targets.map((i) => [childName(i), rev])),
                });
              }
              const cutAt = behind.received.length;
              proxy.setMode("drop");
              proxy.cut();
              await behind.waitUntil(
                "every watcher disconnected",
                (r) =>
                  new Set(
                    r.slice(cutAt).flatMap((l) =>
                      l.type === "state" && l.state !== "connected" ? [l.w] : []
                    ),
                  ).size >= w,
                20_000,
              );
              await Promise.all(
                targets.map((i) =>
                  writer.setData(`${SERVICE}/${childName(i)}`, instanceData(i, rev))
                ),
              );
              await sleep(1000);
              const from = behind.received.length;
              const p0 = await packets(server);
              const t0 = now();
              proxy.setMode("pass");
              const connectedAt = new Map<number, number>();
              await behind.waitUntil("every watcher reconnected", (r) => {
                for (const l of r.slice(from)) {
                  if (l.type === "state" && l.state === "connected" && !connectedAt.has(l.w)) {
                    connectedAt.set(l.w, l.t);
                  }
                }
                return connectedAt.size >= w;
              }, 120_000);
              const reconnectMs = Math.max(...connectedAt.values()) - t0;
              let ms = reconnectMs;
              let afterReconnectMs: number | undefined;
              if (count > 0) {
                await behind.waitUntil(
                  `${w} watchers seeing ${id}`,
                  () => behind.seen(id).length >= w,
                  300_000,
                );
                const seen = behind.received.flatMap((l) =>
                  l.type === "seen" && l.id === id ? [l.t - (connectedAt.get(l.w) ?? t0)] : []
                );
                ms = Math.max(...behind.seen(id)) - t0;
                afterReconnectMs = Math.max(...seen);
              }
              const end = await quiesce(server, rateBehind, RESYNC_CALM_POLLS);
              record({
                event,
                rep,
                requests: perWatcher(p0, t0, end, rateBehind, 0, w),
                ms,
                reconnectMs,
                afterReconnectMs,
              });
            }
          }
        } finally {
          proxy.setMode("pass");
          await behind.quit();
        }
      } catch (error) {
        failed("resync", error);
      }
      await writeReport(`${root}bench/results/${flags.out}`, results, { reps, resyncReps }, false);
    }
    // The next size starts from an empty service.
    for (let i = 0; i < n; i += 500) {
      await Promise.all(
        Array.from(
          { length: Math.min(500, n - i) },
          (_, j) => writer.delete(`${SERVICE}/${childName(i + j)}`),
        ),
      );
    }
  }
} finally {
  await writer.close();
  await proxy.close();
  await server[Symbol.asyncDispose]();
}
await writeReport(`${root}bench/results/${flags.out}`, results, { reps, resyncReps });
Deno.exit(0);
