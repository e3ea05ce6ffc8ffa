/**
 * The benchmark's workloads for this client, run under Deno or Node:
 * `ours.ts <workload> <connect string> <label>` prints one JSON line.
 *
 * @module
 */

import process from "node:process";
import { ZooKeeper, type ZooKeeperOptions } from "../mod.ts";
import { PrometheusClientRecorder } from "../src/http/mod.ts";

const [workload, servers, label] = process.argv.slice(-3);
// BENCH_METRICS=1: every session reports to a Prometheus recorder, to price the hooks.
const options: ZooKeeperOptions = {
  sessionTimeout: 30_000,
  metrics: process.env.BENCH_METRICS ? new PrometheusClientRecorder() : undefined,
};
const base = `/bench-${label}-${process.pid}`;
const WINDOW = 200;

async function pipelined(n: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await op(next++);
  };
  await Promise.all(Array.from({ length: WINDOW }, worker));
}

// The latency workload's timed calls, one after another, in a function of
// their own: inside runOnce, the loop made V8 compile the whole of runOnce
// (30-45 ms on the client's one core) during the timed calls, in every client.
async function timeCalls(
  n: number,
  call: () => Promise<unknown>,
): Promise<{ p50Us: number; p99Us: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call();
    times.push((performance.now() - t) * 1000);
  }
  times.sort((a, b) => a - b);
  return { p50Us: times[Math.floor(n / 2)], p99Us: times[Math.floor(n * 0.99)] };
}

function measure() {
  const cpu = process.cpuUsage();
  const start = performance.now();
  return (ops: number, extra: Record<string, number> = {}) => {
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    return {
      client: label,
      workload,
      ops,
      seconds,
      opsPerSec: ops / seconds,
      cpuUsPerOp: (used.user + used.system) / ops,
      rssMb: process.memoryUsage().rss / 1048576,
      ...extra,
    };
  };
}

const zk = await ZooKeeper.connect(servers, options);
await zk.create(base);

// Each workload runs twice, each time under a node of its own, and the second
// run is the one reported: the first lets the JIT compile the client's hot
// paths, whose compilation would otherwise fall in the timed part (see
// bench/README.md). The first run's throughput and CPU go beside, as
// `firstOpsPerSec` and `firstCpuUsPerOp`. The scale workload runs once: a
// second run would find the heap grown by the first.
async function runOnce(root: string) {
  await zk.create(root);
  let result;
  switch (workload) {
    case "watch": {
      const writer = await ZooKeeper.connect(servers, options);
      const n = 2000;
      const rounds = 5;
      await pipelined(n, (i) => writer.create(`${root}/n${i}`, "0"));
      const done = measure();
      for (let round = 0; round < rounds; round++) {
        let seen = 0;
        let all: () => void = () => {};
        const fired = new Promise<void>((resolve) => all = resolve);
        const watch = () => {
          if (++seen === n) all();
        };
        await Promise.all(
          Array.from({ length: n }, (_, i) => zk.getData(`${root}/n${i}`, { watch })),
        );
        await Promise.all(
          Array.from({ length: n }, (_, i) => writer.setData(`${root}/n${i}`, String(round))),
        );
        await fired;
      }
      result = done(n * rounds);
      await writer.close();
      break;
    }
    case "reads": {
      await zk.create(`${root}/r`, new Uint8Array(128));
      await pipelined(2000, () => zk.getData(`${root}/r`));
      const done = measure();
      await pipelined(20_000, () => zk.getData(`${root}/r`));
      result = done(20_000);
      break;
    }
    case "writes": {
      await zk.create(`${root}/w`, new Uint8Array(128));
      const data = new Uint8Array(128);
      await pipelined(1000, () => zk.setData(`${root}/w`, data));
      const done = measure();
      await pipelined(10_000, () => zk.setData(`${root}/w`, data));
      result = done(10_000);
      break;
    }
    case "createdelete": {
      const created: string[] = [];
      const done = measure();
      await pipelined(5000, async () => {
        created.push(await zk.create(`${root}/s-`, "", { mode: "ephemeralSequential" }));
      });
      await pipelined(5000, (i) => zk.delete(created[i]));
      result = done(10_000);
      break;
    }
    case "latency": {
      await zk.create(`${root}/l`, new Uint8Array(128));
      for (let i = 0; i < 500; i++) await zk.getData(`${root}/l`);
      const done = measure();
      const latencies = await timeCalls(20_000, () => zk.getData(`${root}/l`));
      result = done(20_000, latencies);
      break;
    }
    case "recursive": {
      const writer = await ZooKeeper.connect(servers, options);
      const n = 10_000;
      await pipelined(n, (i) => writer.create(`${root}/c${i}`, "0"));
      let seen = 0;
      let all: () => void = () => {};
      const fired = new Promise<void>((resolve) => all = resolve);
      await zk.addWatch(root, "persistentRecursive", (e) => {
        if (e.type === "NodeDataChanged" && ++seen === n) all();
      });
      const done = measure();
      await pipelined(n, (i) => writer.setData(`${root}/c${i}`, "1"));
      await fired;
      result = done(n);
      await writer.close();
      break;
    }
    case "fanout": {
      const watchers = await Promise.all(
        Array.from({ length: 50 }, () => ZooKeeper.connect(servers, options)),
      );
      const total = 200;
      let events = 0;
      let complete = 0;
      let all: () => void = () => {};
      const finished = new Promise<void>((resolve) => all = resolve);
      const follow = async (c: ZooKeeper) => {
        const children = await c.getChildren(root, {
          watch: (e) => {
            if (e.type === "None") return;
            events++;
            follow(c).catch(() => {});
          },
        });
        if (children.length === total && ++complete === watchers.length) all();
      };
      await Promise.all(watchers.map(follow));
      const done = measure();
      for (let i = 0; i < total; i++) await zk.create(`${root}/f${i}`);
      await finished;
      result = done(events, { watchers: watchers.length, creates: total });
      await Promise.all(watchers.map((c) => c.close()));
      break;
    }
    case "scale": {
      const before = process.memoryUsage().rss;
      const done = measure();
      const sessions: ZooKeeper[] = [];
      for (let i = 0; i < 1000; i += 100) {
        sessions.push(
          ...await Promise.all(
            Array.from({ length: 100 }, () => ZooKeeper.connect(servers, options)),
          ),
        );
      }
      const perSessionKb = (process.memoryUsage().rss - before) / 1024 / sessions.length;
      result = done(sessions.length, { perSessionKb });
      await Promise.all(sessions.map((c) => c.close()));
      break;
    }
    default:
      throw new Error(`unknown workload ${workload}`);
  }
  return result;
}

const first = await runOnce(`${base}/1`);
const second = workload === "scale" ? undefined : await runOnce(`${base}/2`);
const result = second === undefined
  ? first
  : { ...second, firstOpsPerSec: first.opsPerSec, firstCpuUsPerOp: first.cpuUsPerOp };

await zk.close();
console.log(JSON.stringify(result));
process.exit(0);
