// The benchmark's workloads for node-zookeeper-client (npm), under Node:
// `nzc.mjs <workload> <connect string> <label>` prints one JSON line.
import process from "node:process";
import zookeeper from "node-zookeeper-client";

const [workload, servers, label] = process.argv.slice(-3);
const base = `/bench-${label}-${process.pid}`;
const WINDOW = 200;

function connect() {
  const client = zookeeper.createClient(servers, { sessionTimeout: 30_000 });
  return new Promise((resolve) => {
    client.once("connected", () => resolve(client));
    client.connect();
  });
}
const call = (fn) => new Promise((resolve, reject) => fn((e, r) => e ? reject(e) : resolve(r)));

async function pipelined(n, op) {
  let next = 0;
  const worker = async () => {
    while (next < n) await op(next++);
  };
  await Promise.all(Array.from({ length: WINDOW }, worker));
}

// The latency workload's timed calls, one after another, in a function of
// their own: inside runOnce, the loop made V8 compile the whole of runOnce
// (30-45 ms on the client's one core) during the timed calls, in every client.
async function timeCalls(n, call) {
  const times = [];
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
  return (ops, extra = {}) => {
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

const zk = await connect();
const create = (c, path, data, mode = zookeeper.CreateMode.PERSISTENT) =>
  call((cb) => c.create(path, Buffer.from(data), zookeeper.ACL.OPEN_ACL_UNSAFE, mode, cb));
await create(zk, base, "");

// Two runs, the second reported, as bench/ours.ts does and says why.
async function runOnce(root) {
  await create(zk, root, "");
  let result;
  switch (workload) {
    case "watch": {
      const writer = await connect();
      const n = 2000;
      const rounds = 5;
      await pipelined(n, (i) => create(writer, `${root}/n${i}`, "0"));
      const done = measure();
      for (let round = 0; round < rounds; round++) {
        let seen = 0;
        let all;
        const fired = new Promise((resolve) => all = resolve);
        const watch = () => {
          if (++seen === n) all();
        };
        await Promise.all(
          Array.from({ length: n }, (_, i) => call((cb) => zk.getData(`${root}/n${i}`, watch, cb))),
        );
        await Promise.all(
          Array.from(
            { length: n },
            (_, i) =>
              call((cb) => writer.setData(`${root}/n${i}`, Buffer.from(String(round)), -1, cb)),
          ),
        );
        await fired;
      }
      result = done(n * rounds);
      writer.close();
      break;
    }
    case "reads": {
      await create(zk, `${root}/r`, Buffer.alloc(128));
      await pipelined(2000, () => call((cb) => zk.getData(`${root}/r`, cb)));
      const done = measure();
      await pipelined(20_000, () => call((cb) => zk.getData(`${root}/r`, cb)));
      result = done(20_000);
      break;
    }
    case "writes": {
      await create(zk, `${root}/w`, Buffer.alloc(128));
      const data = Buffer.alloc(128);
      await pipelined(1000, () => call((cb) => zk.setData(`${root}/w`, data, -1, cb)));
      const done = measure();
      await pipelined(10_000, () => call((cb) => zk.setData(`${root}/w`, data, -1, cb)));
      result = done(10_000);
      break;
    }
    case "createdelete": {
      const created = [];
      const done = measure();
      await pipelined(5000, async () => {
        created.push(await create(zk, `${root}/s-`, "", zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL));
      });
      await pipelined(5000, (i) => call((cb) => zk.remove(created[i], -1, cb)));
      result = done(10_000);
      break;
    }
    case "latency": {
      await create(zk, `${root}/l`, Buffer.alloc(128));
      for (let i = 0; i < 500; i++) await call((cb) => zk.getData(`${root}/l`, cb));
      const done = measure();
      const latencies = await timeCalls(20_000, () => call((cb) => zk.getData(`${root}/l`, cb)));
      result = done(20_000, latencies);
      break;
    }
    case "recursive":
      // node-zookeeper-client has no persistent watches.
      console.log(JSON.stringify({ client: label, workload, skipped: "no persistent watches" }));
      process.exit(0);
      break;
    case "fanout": {
      const watchers = await Promise.all(Array.from({ length: 50 }, connect));
      const total = 200;
      let events = 0;
      let complete = 0;
      let all;
      const finished = new Promise((resolve) => all = resolve);
      const follow = async (c) => {
        const children = await call((cb) =>
          c.getChildren(root, () => {
            events++;
            follow(c).catch(() => {});
          }, cb)
        );
        if (children.length === total && ++complete === watchers.length) all();
      };
      await Promise.all(watchers.map(follow));
      const done = measure();
      for (let i = 0; i < total; i++) await create(zk, `${root}/f${i}`, "");
      await finished;
      result = done(events, { watchers: watchers.length, creates: total });
      watchers.forEach((c) => c.close());
      break;
    }
    case "scale": {
      const before = process.memoryUsage().rss;
      const done = measure();
      const sessions = [];
      for (let i = 0; i < 1000; i += 100) {
        sessions.push(...await Promise.all(Array.from({ length: 100 }, connect)));
      }
      const perSessionKb = (process.memoryUsage().rss - before) / 1024 / sessions.length;
      result = done(sessions.length, { perSessionKb });
      sessions.forEach((c) => c.close());
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

zk.close();
console.log(JSON.stringify(result));
process.exit(0);
