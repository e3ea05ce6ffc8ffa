// The yardstick: the benchmark's workloads spoken straight over a socket
// (`node:net`; Deno's own when run on Deno), no client library. Every request
// frame is encoded before the clock starts; a reply is read no further than
// its header (xid, zxid, err), except where the workload needs a field (a
// created path, a child count, an event type). Frames made while handling one
// chunk of replies go out in one write. With BENCH_CLIENT=1 it is the thinnest
// client with a promise per call instead (see reference_wire.mjs).
// `reference.mjs <workload> <connect string> <label>` prints one JSON line.
//
// Wire format (zookeeper.jute): every frame is `int length | body`; a request
// body is `int xid | int opcode | record`, a reply `int xid | long zxid |
// int err | record`, a notification has xid -1.
import process from "node:process";
import { Buffer } from "node:buffer";
import {
  CLIENT,
  Conn,
  countNames,
  create,
  decoded,
  EPHEMERAL_SEQUENTIAL,
  frame,
  getChildren,
  getData,
  NODE_DATA_CHANGED,
  Op,
  OPEN_ACL,
  PERSISTENT,
  readNames,
  setData,
} from "./reference_wire.mjs";

const [workload, servers, label] = process.argv.slice(-3);
const base = `/bench-${label}-${process.pid}`;
const WINDOW = 200;
Conn.server = servers.split(",")[0];

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
      ...(CLIENT ? { decodedChars: decoded.chars } : {}),
      ...extra,
    };
  };
}

const range = (n, f) => Array.from({ length: n }, (_, i) => f(i));
const zk = await Conn.open();
await zk.call(create(base, Buffer.alloc(0), PERSISTENT));

// Two runs, the second reported, as bench/ours.ts does and says why.
async function runOnce(root) {
  await zk.call(create(root, Buffer.alloc(0), PERSISTENT));
  let result;
  switch (workload) {
    case "watch": {
      const writer = await Conn.open();
      const n = 2000;
      const rounds = 5;
      await writer.pipeline(range(n, (i) => create(`${root}/n${i}`, Buffer.from("0"), 0)), WINDOW);
      const arms = range(rounds, () => range(n, (i) => getData(`${root}/n${i}`, true)));
      const sets = range(
        rounds,
        (r) => range(n, (i) => setData(`${root}/n${i}`, Buffer.from(`${r}`))),
      );
      const done = measure();
      for (let round = 0; round < rounds; round++) {
        let seen = 0;
        const fired = new Promise((resolve) => zk.onEvent = () => ++seen === n && resolve());
        await zk.pipeline(arms[round], n);
        await writer.pipeline(sets[round], n);
        await fired;
      }
      result = done(n * rounds);
      writer.close();
      break;
    }
    case "recursive": {
      const writer = await Conn.open();
      const n = 10_000;
      await writer.pipeline(range(n, (i) => create(`${root}/c${i}`, Buffer.from("0"), 0)), WINDOW);
      const sets = range(n, (i) => setData(`${root}/c${i}`, Buffer.from("1")));
      let seen = 0;
      const fired = new Promise((resolve) =>
        zk.onEvent = (type) => type === NODE_DATA_CHANGED && ++seen === n && resolve()
      );
      await zk.call(frame(Op.addWatch, root, 1));
      const done = measure();
      await writer.pipeline(sets, WINDOW);
      await fired;
      result = done(n);
      writer.close();
      break;
    }
    case "reads": {
      await zk.call(create(`${root}/r`, Buffer.alloc(128), 0));
      await zk.pipeline(range(2000, () => getData(`${root}/r`)), WINDOW);
      const frames = range(20_000, () => getData(`${root}/r`));
      const done = measure();
      await zk.pipeline(frames, WINDOW);
      result = done(20_000);
      break;
    }
    case "writes": {
      await zk.call(create(`${root}/w`, Buffer.alloc(128), 0));
      await zk.pipeline(range(1000, () => setData(`${root}/w`, Buffer.alloc(128))), WINDOW);
      const frames = range(10_000, () => setData(`${root}/w`, Buffer.alloc(128)));
      const done = measure();
      await zk.pipeline(frames, WINDOW);
      result = done(10_000);
      break;
    }
    case "createdelete": {
      // create2, as our client sends (node-zookeeper-client sends create).
      const creates = range(
        5000,
        () => frame(Op.create2, `${root}/s-`, Buffer.alloc(0), OPEN_ACL, EPHEMERAL_SEQUENTIAL),
      );
      const created = [];
      const done = measure();
      // The create2 reply's body starts with the path the server chose.
      await zk.pipeline(creates, WINDOW, (err, buf, at) => {
        if (err === 0) created.push(buf.toString("utf8", at + 4, at + 4 + buf.readInt32BE(at)));
      });
      await zk.pipeline(created.map((p) => frame(Op.delete, p, -1)), WINDOW);
      result = done(10_000);
      break;
    }
    case "latency": {
      await zk.call(create(`${root}/l`, Buffer.alloc(128), 0));
      const f = getData(`${root}/l`);
      for (let i = 0; i < 500; i++) await zk.call(f);
      const done = measure();
      const latencies = await timeCalls(20_000, () => zk.call(f));
      result = done(20_000, latencies);
      break;
    }
    case "fanout": {
      const watchers = await Promise.all(range(50, () => Conn.open()));
      const total = 200;
      const arm = getChildren(root, true);
      let events = 0;
      let armed = 0;
      let complete = 0;
      let all;
      let ready;
      const finished = new Promise((resolve) => all = resolve);
      const watching = new Promise((resolve) => ready = resolve);
      // CLIENT: each watcher lists the children, and again after each event.
      const follow = (w) =>
        w.request(Buffer.from(arm)).then(([err, buf, at]) => {
          if (++armed === watchers.length) ready();
          if (err === 0 && countNames(readNames(buf, at)) === total) {
            if (++complete === watchers.length) all();
          }
        });
      for (const w of watchers) {
        if (CLIENT) {
          w.onEvent = () => {
            events++;
            follow(w);
          };
          follow(w);
          continue;
        }
        // A getChildren reply's body starts with the number of children.
        w.onReply = (_xid, err, buf, at) => {
          if (++armed === watchers.length) ready();
          if (err !== 0) return;
          if (buf.readInt32BE(at) === total && ++complete === watchers.length) all();
        };
        w.onEvent = () => {
          events++;
          w.send(Buffer.from(arm));
        };
        w.send(Buffer.from(arm));
        w.flush();
      }
      const creates = range(total, (i) => create(`${root}/f${i}`, Buffer.alloc(0), 0));
      await watching;
      const done = measure();
      for (const f of creates) await zk.call(f);
      await finished;
      result = done(events, { watchers: watchers.length, creates: total });
      for (const w of watchers) w.close();
      break;
    }
    case "scale": {
      const before = process.memoryUsage().rss;
      const done = measure();
      const sessions = [];
      for (let i = 0; i < 1000; i += 100) {
        sessions.push(...await Promise.all(range(100, Conn.open)));
      }
      const perSessionKb = (process.memoryUsage().rss - before) / 1024 / sessions.length;
      result = done(sessions.length, { perSessionKb });
      for (const s of sessions) s.close();
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
