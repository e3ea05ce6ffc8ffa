// The yardstick: the benchmark's workloads spoken straight over `node:net`,
// no client library. Every request frame is encoded before the clock starts;
// a reply is read no further than its header (xid, zxid, err), except where
// the workload needs a field (a created path, a child count, an event type).
// Frames made while handling one chunk of replies go out in one write.
// `reference.mjs <workload> <connect string> <label>` prints one JSON line.
//
// Wire format (zookeeper.jute): every frame is `int length | body`; a request
// body is `int xid | int opcode | record`, a reply `int xid | long zxid |
// int err | record`, a notification has xid -1.
import net from "node:net";
import process from "node:process";

const [workload, servers, label] = process.argv.slice(-3);
const base = `/bench-${label}-${process.pid}`;
const WINDOW = 200;
const [host, port] = servers.split(",")[0].split(":");

const Op = {
  create: 1,
  delete: 2,
  getData: 4,
  setData: 5,
  getChildren: 8,
  create2: 15,
  addWatch: 106,
};
const Op_closeSession = -11;
// BENCH_CLIENT=1 (run.ts's `reference-client`): the thinnest client with a
// promise per call. Each call returns a promise, settled by its reply in the
// order sent and awaited by the workload as bench/ours.ts awaits a call; the
// frames a turn's continuations send go out in one write after them. The
// strings a client hands back are decoded (each notification's path, each
// listing's names), as short ASCII strings are cheapest made; a Stat is not,
// nor is data copied. The plain reference reads only a type or a count.
const CLIENT = process.env.BENCH_CLIENT === "1";
// What was decoded, reported so that no decoding can be optimized away.
let decodedChars = 0;
const PERSISTENT = 0;
const EPHEMERAL_SEQUENTIAL = 3;
const NODE_DATA_CHANGED = 3;

/**
 * Builds one request frame with xid 0: numbers are ints, booleans a byte,
 * strings and buffers length-prefixed, `{ raw }` bytes as they are.
 */
function frame(opcode, ...fields) {
  const parts = [];
  for (const f of fields) {
    if (typeof f === "number") {
      const b = Buffer.alloc(4);
      b.writeInt32BE(f);
      parts.push(b);
    } else if (typeof f === "boolean") parts.push(Buffer.from([f ? 1 : 0]));
    else if (f.raw !== undefined) parts.push(f.raw);
    else {
      const bytes = typeof f === "string" ? Buffer.from(f) : f;
      const n = Buffer.alloc(4);
      n.writeInt32BE(bytes.length);
      parts.push(n, bytes);
    }
  }
  const body = Buffer.concat(parts);
  const out = Buffer.alloc(12 + body.length);
  out.writeInt32BE(8 + body.length, 0);
  out.writeInt32BE(opcode, 8);
  body.copy(out, 12);
  return out;
}
// world:anyone, all permissions (ZooDefs.Ids.OPEN_ACL_UNSAFE): count, perms, scheme, id.
const OPEN_ACL = {
  raw: Buffer.from([0, 0, 0, 1, 0, 0, 0, 31, 0, 0, 0, 5, ..."world", 0, 0, 0, 6, ..."anyone"]
    .map((x) => typeof x === "string" ? x.charCodeAt(0) : x)),
};
const getData = (path, watch = false) => frame(Op.getData, path, watch);
const setData = (path, data) => frame(Op.setData, path, data, -1);
const create = (path, data, flags) => frame(Op.create, path, data, OPEN_ACL, flags);
const getChildren = (path, watch) => frame(Op.getChildren, path, watch);

/** Reads the length-prefixed string at `at`. */
function readString(buf, at) {
  const end = at + 4 + buf.readInt32BE(at);
  if (end - at > 16) return buf.latin1Slice(at + 4, end);
  let s = "";
  for (let i = at + 4; i < end; i++) s += String.fromCharCode(buf[i]);
  return s;
}

/** A getChildren reply's names, from the body at `at`. */
function readNames(buf, at) {
  const names = new Array(buf.readInt32BE(at));
  for (let i = 0, p = at + 4; i < names.length; i++) {
    names[i] = readString(buf, p);
    p += 4 + buf.readInt32BE(p);
  }
  return names;
}

function countNames(names) {
  for (const n of names) decodedChars += n.length;
  return names.length;
}

/**
 * One session. `onReply(xid, err, buf, bodyOffset)` and `onEvent(type, state)`
 * are called for every frame of a chunk; what they `send` is written once the
 * chunk is done.
 */
class Conn {
  xid = 1;
  out = [];
  // CLIENT: the settlers of the calls awaiting replies, oldest at `head`.
  waiting = [];
  head = 0;
  flushing = false;
  rest = Buffer.alloc(0);
  onReply = () => {};
  onEvent = () => {};
  static async open() {
    const c = new Conn();
    c.socket = net.connect({ host, port: Number(port) });
    c.socket.setNoDelay(true);
    await new Promise((resolve, reject) => {
      c.socket.once("connect", resolve);
      c.socket.once("error", reject);
    });
    // ConnectRequest: protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly.
    const hs = Buffer.alloc(4 + 4 + 8 + 4 + 8 + 4 + 16 + 1);
    hs.writeInt32BE(hs.length - 4, 0);
    hs.writeInt32BE(30_000, 16);
    hs.writeInt32BE(16, 28);
    c.socket.write(hs);
    await new Promise((resolve) => {
      c.onHandshake = resolve;
      c.socket.on("data", (chunk) => c.data(chunk));
    });
    return c;
  }
  data(chunk) {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    let off = 0;
    while (buf.length - off >= 4) {
      const len = buf.readInt32BE(off);
      if (buf.length - off - 4 < len) break;
      const at = off + 4;
      off = at + len;
      if (this.onHandshake) {
        const done = this.onHandshake;
        this.onHandshake = undefined;
        done();
        continue;
      }
      const xid = buf.readInt32BE(at);
      if (xid === -1) {
        if (CLIENT) decodedChars += readString(buf, at + 24).length;
        this.onEvent(buf.readInt32BE(at + 16), buf, at + 24);
      } else if (xid <= 0) continue;
      else if (CLIENT) this.settle([buf.readInt32BE(at + 12), buf, at + 16]);
      else this.onReply(xid, buf.readInt32BE(at + 12), buf, at + 16);
    }
    this.rest = buf.subarray(off);
    this.flush();
  }
  send(f) {
    f.writeInt32BE(this.xid++, 4);
    this.out.push(f);
  }
  flush() {
    if (this.out.length === 0) return;
    this.socket.write(this.out.length === 1 ? this.out[0] : Buffer.concat(this.out));
    this.out = [];
  }
  settle(reply) {
    const resolve = this.waiting[this.head];
    this.waiting[this.head++] = undefined;
    if (this.head === this.waiting.length) this.waiting.length = this.head = 0;
    resolve(reply);
  }
  /** CLIENT: sends `f`; the promise of its reply, [err, buf, bodyOffset]. */
  request(f) {
    this.send(f);
    if (!this.flushing) {
      this.flushing = true;
      queueMicrotask(() => {
        this.flushing = false;
        this.flush();
      });
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  /** Sends one request and waits for its reply: [err, buf, bodyOffset]. */
  call(f) {
    if (CLIENT) return this.request(Buffer.from(f));
    return new Promise((resolve) => {
      this.onReply = (_xid, err, buf, at) => resolve([err, buf, at]);
      this.send(Buffer.from(f));
      this.flush();
    });
  }
  /** Sends `frames` with at most `window` outstanding; resolves on the last reply. */
  pipeline(frames, window, onReply = () => {}) {
    if (CLIENT) {
      let next = 0;
      const worker = async () => {
        while (next < frames.length) {
          const [err, buf, at] = await this.request(frames[next++]);
          onReply(err, buf, at);
        }
      };
      return Promise.all(range(Math.min(window, frames.length), worker));
    }
    return new Promise((resolve) => {
      let next = 0;
      let answered = 0;
      this.onReply = (_xid, err, buf, at) => {
        onReply(err, buf, at);
        if (++answered === frames.length) resolve();
        else if (next < frames.length) this.send(frames[next++]);
      };
      while (next < Math.min(window, frames.length)) this.send(frames[next++]);
      this.flush();
    });
  }
  close() {
    // The answer to closeSession is nobody's reply.
    this.settle = this.onReply = () => {};
    this.onEvent = () => {};
    this.send(frame(Op_closeSession));
    this.flush();
    this.socket.end();
  }
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
      ...(CLIENT ? { decodedChars } : {}),
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
      const times = [];
      const done = measure();
      for (let i = 0; i < 2000; i++) {
        const t = performance.now();
        await zk.call(f);
        times.push((performance.now() - t) * 1000);
      }
      times.sort((a, b) => a - b);
      result = done(2000, { p50Us: times[1000], p99Us: times[1980] });
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
