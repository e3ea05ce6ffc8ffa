// The reference's side of the wire (see reference.mjs): request frames built
// ahead, one session's framing and replies, and the socket, Node's or, when
// run on Deno, Deno's own.
import { Buffer } from "node:buffer";
import net from "node:net";
import process from "node:process";

export const Op = {
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
export const CLIENT = process.env.BENCH_CLIENT === "1";
// What was decoded, reported so that no decoding can be optimized away.
export const decoded = { chars: 0 };
export const PERSISTENT = 0;
export const EPHEMERAL_SEQUENTIAL = 3;
export const NODE_DATA_CHANGED = 3;

/**
 * Builds one request frame with xid 0: numbers are ints, booleans a byte,
 * strings and buffers length-prefixed, `{ raw }` bytes as they are.
 */
export function frame(opcode, ...fields) {
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
export const OPEN_ACL = {
  raw: Buffer.from([0, 0, 0, 1, 0, 0, 0, 31, 0, 0, 0, 5, ..."world", 0, 0, 0, 6, ..."anyone"]
    .map((x) => typeof x === "string" ? x.charCodeAt(0) : x)),
};
export const getData = (path, watch = false) => frame(Op.getData, path, watch);
export const setData = (path, data) => frame(Op.setData, path, data, -1);
export const create = (path, data, flags) => frame(Op.create, path, data, OPEN_ACL, flags);
export const getChildren = (path, watch) => frame(Op.getChildren, path, watch);

/** Reads the length-prefixed string at `at`. */
function readString(buf, at) {
  const end = at + 4 + buf.readInt32BE(at);
  if (end - at > 16) return buf.toString("latin1", at + 4, end);
  let s = "";
  for (let i = at + 4; i < end; i++) s += String.fromCharCode(buf[i]);
  return s;
}

/** A getChildren reply's names, from the body at `at`. */
export function readNames(buf, at) {
  const names = new Array(buf.readInt32BE(at));
  for (let i = 0, p = at + 4; i < names.length; i++) {
    names[i] = readString(buf, p);
    p += 4 + buf.readInt32BE(p);
  }
  return names;
}

/** Counts the names and their characters. */
export function countNames(names) {
  for (const n of names) decoded.chars += n.length;
  return names.length;
}

/**
 * One session. `onReply(xid, err, buf, bodyOffset)` and `onEvent(type, state)`
 * are called for every frame of a chunk; what they `send` is written once the
 * chunk is done.
 */
export class Conn {
  xid = 1;
  out = [];
  // CLIENT: the settlers of the calls awaiting replies, oldest at `head`.
  waiting = [];
  head = 0;
  flushing = false;
  rest = Buffer.alloc(0);
  onReply = () => {};
  onEvent = () => {};
  /** Where `open` connects: `host:port`. */
  static server = "";
  static async open() {
    const c = new Conn();
    const handshake = new Promise((resolve) => c.onHandshake = resolve);
    const [host, port] = Conn.server.split(":");
    c.socket = await openSocket(host, Number(port), (chunk) => c.data(chunk));
    // ConnectRequest: protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly.
    const hs = Buffer.alloc(4 + 4 + 8 + 4 + 8 + 4 + 16 + 1);
    hs.writeInt32BE(hs.length - 4, 0);
    hs.writeInt32BE(30_000, 16);
    hs.writeInt32BE(16, 28);
    c.socket.write(hs);
    await handshake;
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
        if (CLIENT) decoded.chars += readString(buf, at + 24).length;
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
      settled.then(() => {
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
      return Promise.all(Array.from({ length: Math.min(window, frames.length) }, worker));
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

// A settled promise: its reactions are the cheapest microtasks on Node.
const settled = Promise.resolve();

/**
 * Connects to `host:port` and calls `onData` with each chunk read; resolves
 * with an object that can `write(bytes)` and `end()`: Node's socket, or on
 * Deno one over `Deno.connect`, reading into a slab (a chunk stays valid) and
 * writing one write at a time.
 */
async function openSocket(host, port, onData) {
  const deno = globalThis.Deno;
  if (deno === undefined) {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    await new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    socket.on("data", onData);
    return socket;
  }
  const conn = await deno.connect({ hostname: host, port });
  conn.setNoDelay(true);
  (async () => {
    let slab = new Uint8Array(256 * 1024);
    let off = 0;
    for (;;) {
      if (slab.length - off < 16 * 1024) {
        slab = new Uint8Array(slab.length);
        off = 0;
      }
      const n = await conn.read(slab.subarray(off)).catch(() => null);
      if (n === null) return;
      onData(Buffer.from(slab.buffer, off, n));
      off += n;
    }
  })();
  let queue;
  let ending = false;
  const drain = async (bytes) => {
    try {
      for (; bytes !== undefined; bytes = queue.shift()) {
        for (let at = 0; at < bytes.length;) {
          at += await conn.write(at === 0 ? bytes : bytes.subarray(at));
        }
      }
    } catch {
      // Closed by the server.
    }
    queue = undefined;
    if (ending) conn.close();
  };
  return {
    write(bytes) {
      if (queue !== undefined) queue.push(bytes);
      else {
        queue = [];
        drain(bytes);
      }
    },
    end() {
      if (queue === undefined) conn.close();
      else ending = true;
    },
  };
}
