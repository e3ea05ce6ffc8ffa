/**
 * Runs every workload for every client against one local ZooKeeper, one
 * process at a time, interleaved (A B C D A B C D ...), and reports medians
 * with min–max and ratios of ours to each peer from the same run.
 *
 * `deno task bench` (or `bash bench/run.sh`); `BENCH_REPS` sets the
 * repetitions (default 5), `--quick` runs one repetition of each. Each
 * client runs a workload twice in its process and reports the second run,
 * with the first run's throughput and CPU beside ("first run" rows).
 *
 * @module
 */

import { spawn, spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { ZooKeeper } from "../mod.ts";
import { startZooKeeper } from "../tests/helpers/zk_server.ts";
import { chart } from "./chart.ts";

interface Result {
  client: string;
  workload: string;
  /** The repetition, from 0. */
  rep?: number;
  ops: number;
  seconds: number;
  opsPerSec: number;
  cpuUsPerOp: number;
  rssMb: number;
  p50Us?: number;
  p99Us?: number;
  perSessionKb?: number;
  firstOpsPerSec?: number;
  firstCpuUsPerOp?: number;
}

const root = fileURLToPath(new URL("..", import.meta.url));
const quick = process.argv.includes("--quick");
const reps = quick ? 1 : Number(process.env.BENCH_REPS ?? 5);
const allWorkloads = [
  "watch",
  "recursive",
  "reads",
  "writes",
  "createdelete",
  "latency",
  "fanout",
  "scale",
  "idle",
];
// BENCH_WORKLOADS=reads,writes and BENCH_CLIENTS=ours-node,reference run a subset.
const pick = (all: string[], list: string | undefined) =>
  list ? all.filter((x) => list.split(",").includes(x)) : all;
const workloads = pick(allWorkloads, process.env.BENCH_WORKLOADS);
const javaCp = `${root}/bench/.build:${process.env.ZK_CLASSPATH ?? ""}`;
const allClients: Record<string, string[]> = {
  "ours-deno": [`${root}/node_modules/.bin/deno`, "run", "-A", `${root}/bench/ours.ts`],
  // The JavaScript npm users get (scripts/build_npm.sh), not the sources
  // through a loader.
  "ours-node": ["node", `${root}/dist/bench/ours.js`],
  "node-zookeeper-client": ["node", `${root}/bench/nzc.mjs`],
  "java": ["java", "-Xmx512m", "-cp", javaCp, "JavaBench"],
  // No library: the wire protocol over node:net with pre-encoded frames.
  "reference": ["node", `${root}/bench/reference.mjs`],
  // The same shaped as the thinnest client with a promise per call, which
  // decodes the strings it hands back: the floor of a client of this API, on
  // Node and on Deno (over Deno's own sockets).
  "reference-client": ["env", "BENCH_CLIENT=1", "node", `${root}/bench/reference.mjs`],
  "reference-client-deno": [
    "env",
    "BENCH_CLIENT=1",
    `${root}/node_modules/.bin/deno`,
    "run",
    "-A",
    `${root}/bench/reference.mjs`,
  ],
};
// Only when BENCH_CLIENTS names it: ours on Node with a metrics recorder.
if (process.env.BENCH_CLIENTS?.split(",").includes("ours-node-metrics")) {
  allClients["ours-node-metrics"] = [
    "env",
    "BENCH_METRICS=1",
    "node",
    `${root}/dist/bench/ours.js`,
  ];
}
// BENCH_BASELINE=<another checkout, npm build done> adds its client as
// base-deno and base-node, to compare a change with what it changes.
const base = process.env.BENCH_BASELINE;
if (base) {
  allClients["base-deno"] = [
    `${root}/node_modules/.bin/deno`,
    "run",
    "-A",
    `${base}/bench/ours.ts`,
  ];
  allClients["base-node"] = ["node", `${base}/dist/bench/ours.js`];
}
const clients = Object.fromEntries(
  pick(Object.keys(allClients), process.env.BENCH_CLIENTS).map((c) => [c, allClients[c]]),
);

// BENCH_CLIENT_CPUS (set by run.sh): the cores the clients run on; the server
// and this harness have the last one.
const clientCpus = process.env.BENCH_CLIENT_CPUS || undefined;

// `idle` is the scale workload with V8's young generation held at its minimum
// (1 MB): the sessions' own memory, without the growth of the young
// generation that the burst of connects sets off (V8 sizes it by how much of
// it survives, and its growth, divided among the sessions, is most of the
// scale workload's figure). Runs on the clients that run on V8.
function idleCommand(command: string[]): string[] | undefined {
  const flag = "--max-semi-space-size=1";
  if (command[0] === "node") return ["node", flag, ...command.slice(1)];
  if (command[0] === "env") return undefined;
  if (command.includes("run")) {
    const at = command.indexOf("run") + 1;
    return [...command.slice(0, at), `--v8-flags=${flag}`, ...command.slice(at)];
  }
  return undefined;
}

function run(command: string[], workload: string, servers: string, label: string): Promise<Result> {
  if (label.startsWith("reference-client") && (workload === "scale" || workload === "idle")) {
    return Promise.resolve({ skipped: true } as unknown as Result);
  }
  if (workload === "idle") {
    const idle = idleCommand(command);
    if (idle === undefined) return Promise.resolve({ skipped: true } as unknown as Result);
    return run(idle, "scale", servers, label).then((r) => ({ ...r, workload }));
  }
  return new Promise((resolve, reject) => {
    const argv = clientCpus === undefined ? command : ["taskset", "-c", clientCpus, ...command];
    const child = spawn(argv[0], [...argv.slice(1), workload, servers, label], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => out += d);
    child.stderr.on("data", (d) => err += d);
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const line = out.trim().split("\n").filter((l) => l.startsWith("{")).at(-1);
      if (code !== 0 || line === undefined) {
        reject(new Error(`${label} ${workload} failed (${code}): ${err.slice(-500)}`));
      } else resolve(JSON.parse(line));
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// maxClientCnxns=0: the fan-out and scale workloads open up to 1,000
// connections from one address (ZooKeeper allows 60 by default).
const server = await startZooKeeper({ maxSessionTimeout: 60_000, config: { maxClientCnxns: "0" } });
const cleaner = await ZooKeeper.connect(server.connectString);

// Deletes the nodes every client left (`/bench-<label>-<pid>` and below), so
// that each run finds the server as the first one did: kept, the recursive
// workload's 10,000 children a run pile up to hundreds of thousands of
// nodes, and the server's heap fills and slows every client after.
async function clearBenchNodes(): Promise<void> {
  const levels: string[][] = [];
  let level = (await cleaner.getChildren("/")).filter((n) => n.startsWith("bench-"))
    .map((n) => `/${n}`);
  while (level.length > 0) {
    levels.push(level);
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 1000) {
      const lists = await Promise.all(level.slice(i, i + 1000).map((p) => cleaner.getChildren(p)));
      lists.forEach((names, j) => names.forEach((n) => next.push(`${level[i + j]}/${n}`)));
    }
    level = next;
  }
  for (const paths of levels.reverse()) {
    for (let i = 0; i < paths.length; i += 1000) {
      await Promise.all(paths.slice(i, i + 1000).map((p) => cleaner.delete(p)));
    }
  }
}
const results: Result[] = [];
try {
  for (const workload of workloads) {
    for (let rep = 0; rep < reps; rep++) {
      for (const [label, command] of Object.entries(clients)) {
        let r: Result;
        try {
          r = await run(command, workload, server.connectString, label);
        } catch (error) {
          // One client's failure is reported and leaves the others' figures.
          process.stderr.write(`${(error as Error).message}\n`);
          continue;
        } finally {
          await clearBenchNodes();
        }
        if ("skipped" in r) continue;
        results.push({ ...r, rep });
        process.stderr.write(
          `${workload} #${rep + 1} ${label}: ${r.opsPerSec.toFixed(0)} ops/s, ` +
            `${r.cpuUsPerOp.toFixed(1)} µs CPU/op${
              r.p99Us ? `, p99 ${r.p99Us.toFixed(0)} µs` : ""
            }\n`,
        );
      }
    }
  }
} finally {
  await cleaner.close();
  await server[Symbol.asyncDispose]();
}

type Row = {
  workload: string;
  client: string;
  metric: string;
  median: number;
  min: number;
  max: number;
};
const rows: Row[] = [];
const pairedMetrics: [keyof Result, string][] = [
  ["opsPerSec", "ops/s"],
  ["cpuUsPerOp", "µs CPU/op"],
  ["p99Us", "p99 µs"],
  ["perSessionKb", "KB/session"],
];
const metrics: [keyof Result, string][] = [
  ["opsPerSec", "ops/s"],
  ["cpuUsPerOp", "µs CPU/op"],
  ["p50Us", "p50 µs"],
  ["p99Us", "p99 µs"],
  ["perSessionKb", "KB/session"],
  ["firstOpsPerSec", "ops/s, first run"],
  ["firstCpuUsPerOp", "µs CPU/op, first run"],
  ["rssMb", "RSS MB"],
];
for (const workload of workloads) {
  for (const client of Object.keys(clients)) {
    const mine = results.filter((r) => r.workload === workload && r.client === client);
    for (const [key, metric] of metrics) {
      const values = mine.map((r) => r[key]).filter((v): v is number => typeof v === "number");
      if (values.length === 0) continue;
      rows.push({
        workload,
        client,
        metric,
        median: median(values),
        min: Math.min(...values),
        max: Math.max(...values),
      });
    }
  }
}

const find = (w: string, c: string, m: string) =>
  rows.find((r) => r.workload === w && r.client === c && r.metric === m)?.median;
const fmt = (x: number) => x >= 100 ? x.toFixed(0) : x.toFixed(1);
const lines: string[] = [];
const comparisons: [string, string][] = [
  ...(base ? [["ours-deno", "base-deno"], ["ours-node", "base-node"]] as [string, string][] : []),
  ["ours-node-metrics", "ours-node"],
  ["ours-node", "reference"],
  ["ours-deno", "reference"],
  ["ours-node", "reference-client"],
  ["ours-deno", "reference-client-deno"],
  ["ours-node", "node-zookeeper-client"],
  ["ours-node", "java"],
  ["ours-deno", "java"],
].filter(([a, b]) => a in clients && b in clients) as [string, string][];
const shortNames: Record<string, string> = {
  "node-zookeeper-client": "nzc",
  "reference": "ref",
  "reference-client": "ref-client",
  "reference-client-deno": "ref-client-deno",
};
const short = (c: string) => shortNames[c] ?? c;
lines.push(
  `| workload | metric | ${Object.keys(clients).join(" | ")} | ${
    comparisons.map(([a, b]) => `${short(a)} vs ${short(b)}`).join(" | ")
  } |`,
);
lines.push(
  `| --- | --- |${Object.keys(clients).map(() => " ---: |").join("")}${
    comparisons.map(() => " ---: |").join("")
  }`,
);
for (const workload of workloads) {
  for (const [, metric] of metrics) {
    if (metric === "RSS MB") continue;
    const cells = Object.keys(clients).map((c) => {
      const r = rows.find((x) => x.workload === workload && x.client === c && x.metric === metric);
      return r ? `${fmt(r.median)} (${fmt(r.min)}–${fmt(r.max)})` : "n/a";
    });
    if (cells.every((c) => c === "n/a")) continue;
    // Ratios read "how many times better ours is": higher is better for
    // throughput, lower for CPU and latency.
    const better = metric.startsWith("ops/s")
      ? (a: number, b: number) => a / b
      : (a: number, b: number) => b / a;
    const ratio = (a?: number, b?: number) => a && b ? `${better(a, b).toFixed(2)}×` : "n/a";
    lines.push(
      `| ${workload} | ${metric} | ${cells.join(" | ")} | ${
        comparisons.map(([a, b]) => ratio(find(workload, a, metric), find(workload, b, metric)))
          .join(" | ")
      } |`,
    );
  }
}
// The ratios again, each the median of the repetitions' own ratios: the runs
// of one repetition are minutes apart, its repetitions up to an hour, and a
// change of the machine's speed between repetitions moves every client's
// figures together.
const pairedLines = [
  "The ratios paired by repetition: the median of each repetition's own ratio (above 1× ours is better).",
  "",
  `| workload | metric | ${
    pairedComparisons().map(([a, b]) => `${short(a)} vs ${short(b)}`).join(" | ")
  } |`,
  `| --- | --- |${pairedComparisons().map(() => " ---: |").join("")}`,
];
for (const workload of workloads) {
  for (const [key, metric] of pairedMetrics) {
    const cells = pairedComparisons().map(([a, b]) => {
      const ratios = pairs(workload, a, b, key).map(([x, y]) =>
        key === "opsPerSec" ? x / y : y / x
      );
      return ratios.length ? `${median(ratios).toFixed(2)}×` : "n/a";
    });
    if (cells.every((c) => c === "n/a")) continue;
    pairedLines.push(`| ${workload} | ${metric} | ${cells.join(" | ")} |`);
  }
}
const table = `${lines.join("\n")}\n\n${pairedLines.join("\n")}`;
console.log(table);

function pairedComparisons(): [string, string][] {
  return comparisons.filter(([a, b]) => a.startsWith("ours") && !b.startsWith("reference-client"));
}

// The values of a metric for two clients in each repetition that has both.
function pairs(workload: string, a: string, b: string, key: keyof Result): [number, number][] {
  const of = (client: string, rep: number) =>
    results.find((r) => r.workload === workload && r.client === client && r.rep === rep)?.[key];
  const out: [number, number][] = [];
  for (let rep = 0; rep < reps; rep++) {
    const x = of(a, rep);
    const y = of(b, rep);
    if (typeof x === "number" && typeof y === "number" && x > 0 && y > 0) out.push([x, y]);
  }
  return out;
}

const version = (command: string[]) =>
  spawnSync(command[0], command.slice(1), { encoding: "utf8" }).stdout.split("\n")[0].trim();
const load = loadavg().map((x) => x.toFixed(1)).join(", ");
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${
  (totalmem() / 2 ** 30).toFixed(0)
} GiB; Node ${version(["node", "--version"])}, ${
  version([allClients["ours-deno"][0], "--version"])
}, Java 17; ZooKeeper 3.8 standalone on loopback${
  clientCpus === undefined ? "" : `, clients on CPU ${clientCpus}, the server on the last`
}; load average at the end ${load}`;
await mkdir(`${root}/bench/results`, { recursive: true });
await writeFile(
  `${root}/bench/results/latest.json`,
  JSON.stringify({ date: new Date().toISOString(), machine, reps, results, rows }, null, 2),
);
await writeFile(
  `${root}/bench/results/latest.md`,
  `${new Date().toISOString()} — ${machine}\n\n${table}\n`,
);
await writeFile(`${root}/bench/results/latest.svg`, chart(workloads, Object.keys(clients), find));
console.log(`\n${machine}\nwrote bench/results/latest.{json,md,svg}`);
