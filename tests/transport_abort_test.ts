import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { type CloudflareSocket, cloudflareTransport } from "../src/transport/cloudflare.ts";
import { denoTransport } from "../src/transport/deno.ts";
import { abortable, abortReason } from "../src/util/abortable.ts";
import { eventually } from "./helpers/wait.ts";
import type { Transport, TransportConnection } from "../src/transport/transport.ts";

const handlers = { data: () => {}, closed: () => {} };

/**
 * Starts a connect, aborts it once the transport waits on the step that
 * `waiting` reports, and checks that the connect rejects with the reason.
 */
async function rejectsOnAbort(
  transport: Transport,
  port: number,
  tls: boolean,
  waiting: Promise<void>,
): Promise<void> {
  const abort = new AbortController();
  const connecting = transport.connect({
    host: "127.0.0.1",
    port,
    tls: tls ? { serverName: "zk.example" } : undefined,
    signal: abort.signal,
  }, handlers);
  await waiting;
  abort.abort(new Error("given up"));
  await assert.rejects(connecting, { message: "given up" });
}

describe("Transport abort signals", () => {
  it("cloudflareTransport stops waiting for the socket to open", async () => {
    let closed = false;
    let waiting!: () => void;
    const opening = new Promise<void>((resolve) => waiting = resolve);
    const socket: CloudflareSocket = {
      readable: new ReadableStream(),
      writable: new WritableStream(),
      // Read when the transport starts waiting for the socket to open.
      get opened() {
        waiting();
        return new Promise(() => {});
      },
      closed: new Promise(() => {}),
      close: () => {
        closed = true;
        return Promise.resolve();
      },
    };
    await rejectsOnAbort(cloudflareTransport(() => socket), 1, false, opening);
    assert.equal(closed, true);
  });

  it("denoTransport stops starting TLS for another server name", {
    skip: !("Deno" in globalThis),
  }, async () => {
    // A server that accepts the connection, and a startTls that never
    // finishes, as a handshake with a server that never answers.
    const sockets: Socket[] = [];
    const server = createServer((s) => sockets.push(s));
    let waiting!: () => void;
    const handshaking = new Promise<void>((resolve) => waiting = resolve);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const deno = (globalThis as unknown as { Deno: { startTls: unknown } }).Deno;
    const startTls = deno.startTls;
    deno.startTls = () => {
      waiting();
      return new Promise(() => {});
    };
    try {
      await rejectsOnAbort(denoTransport, port, true, handshaking);
      // The plain connection under it is closed: the server sees it end.
      await eventually(() => sockets.length === 1, "the server to accept the plain connection");
      const [plain] = sockets;
      plain.resume();
      if (!plain.readableEnded) await new Promise((r) => plain.once("end", r));
    } finally {
      deno.startTls = startTls;
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});

describe("denoTransport writes", () => {
  it(
    "sends every byte in order when the socket takes a few at a time, and reports a failed write once",
    {
      skip: !("Deno" in globalThis),
    },
    async () => {
      const sent: number[] = [];
      let fail = false;
      const closed: (Error | undefined)[] = [];
      const conn = {
        read: () => new Promise<number | null>(() => {}),
        // Takes at most three bytes a call, a turn later.
        write: async (bytes: Uint8Array) => {
          await Promise.resolve();
          if (fail) throw new Error("broken pipe");
          sent.push(...bytes.subarray(0, 3));
          return Math.min(3, bytes.length);
        },
        close: () => {},
      };
      await overFakeConn(conn, (error) => closed.push(error), async (socket) => {
        socket.write(new Uint8Array([1, 2, 3, 4, 5, 6, 7]));
        socket.write(new Uint8Array([8]));
        socket.write(new Uint8Array([9, 10, 11, 12]));
        await eventually(() => sent.length === 12, "every byte to be written");
        assert.deepEqual(sent, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        socket.write(new Uint8Array([13]));
        await eventually(() => sent.length === 13, "a later write");
        fail = true;
        socket.write(new Uint8Array([14]));
        socket.write(new Uint8Array([15]));
        await eventually(() => closed.length === 1, "the failure to be reported");
        assert.equal(closed[0]?.message, "broken pipe");
        socket.write(new Uint8Array([16]));
        socket.close();
        assert.equal(closed.length, 1);
        assert.equal(sent.length, 13);
      });
    },
  );

  it("sends what came during a write as one write, frames of 64 KiB and more on their own", {
    skip: !("Deno" in globalThis),
  }, async () => {
    const writes: number[][] = [];
    let finishWrite: (() => void) | undefined;
    const conn = {
      read: () => new Promise<number | null>(() => {}),
      // Each write waits for the test to let it end.
      write: (bytes: Uint8Array) => {
        writes.push([...bytes.subarray(0, 2), bytes.length]);
        return new Promise<number>((resolve) => finishWrite = () => resolve(bytes.length));
      },
      close: () => {},
    };
    await overFakeConn(conn, () => {}, async (socket) => {
      const large = new Uint8Array(64 * 1024).fill(9);
      socket.write(new Uint8Array([1, 1]));
      socket.write(new Uint8Array([2]));
      socket.write(new Uint8Array([3, 3, 3]));
      socket.write(large);
      socket.write(new Uint8Array([4]));
      const next = async (count: number) => {
        finishWrite!();
        await eventually(() => writes.length === count, `write ${count} to start`);
      };
      assert.deepEqual(writes, [[1, 1, 2]]);
      await next(2);
      assert.deepEqual(writes[1], [2, 3, 4]);
      await next(3);
      assert.deepEqual(writes[2], [9, 9, large.length]);
      await next(4);
      assert.deepEqual(writes[3], [4, 1]);
      socket.close();
    });
  });
});

/**
 * Runs `body` with a connection of denoTransport over `conn`, which
 * `Deno.connect` returns meanwhile.
 */
async function overFakeConn(
  conn: object,
  closed: (error?: Error) => void,
  body: (socket: TransportConnection) => Promise<void>,
): Promise<void> {
  const deno = (globalThis as unknown as { Deno: { connect: unknown } }).Deno;
  const connect = deno.connect;
  deno.connect = () => Promise.resolve(conn);
  try {
    await body(
      await denoTransport.connect({ host: "127.0.0.1", port: 1 }, { data: () => {}, closed }),
    );
  } finally {
    deno.connect = connect;
  }
}

describe("abortable()", () => {
  it("settles as the promise does while the signal stays unaborted", async () => {
    const signal = new AbortController().signal;
    assert.equal(await abortable(Promise.resolve(7), signal), 7);
    await assert.rejects(abortable(Promise.reject(new Error("no")), signal), /no/);
  });

  it("on abort, undoes the step and rejects with the signal's reason, or what onAbort returns", async () => {
    const controller = new AbortController();
    let undone = 0;
    const pending = abortable(new Promise<never>(() => {}), controller.signal, (signal) => {
      undone++;
      return abortReason(signal);
    });
    controller.abort(new Error("given up"));
    await assert.rejects(pending, /given up/);
    assert.equal(undone, 1);
    const other = new AbortController();
    const interrupted = abortable(new Promise<never>(() => {}), other.signal, () => "stop");
    other.abort("SIGINT");
    await assert.rejects(interrupted, (reason) => reason === "stop");
  });

  it("with a signal already aborted, rejects at once and leaves no rejection unhandled", async () => {
    const step = Promise.reject(new Error("closed by the abort"));
    const aborted = AbortSignal.abort("SIGTERM");
    await assert.rejects(abortable(step, aborted), { message: "Aborted" });
  });
});
