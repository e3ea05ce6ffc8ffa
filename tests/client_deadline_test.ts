/**
 * The client's deadlines against a fake server that keeps the connection
 * alive (it answers every ping) but never answers a request, and the client's
 * construction.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { ZooKeeper, ZooKeeperError, type ZooKeeperOptions } from "../mod.ts";
import { type FakeSocket, FakeTransport, flush } from "./helpers/fake_transport.ts";
import { OpCode } from "../src/protocol/constants.ts";
import { accept, header, reply } from "./helpers/fake_session.ts";

// A granted timeout of 1.5 s: a ping every 500 ms of silence, the connection
// lost after 1 s without a byte (wide enough for a loaded machine's timers).
const GRANTED = 1500;

async function silentServer(options: ZooKeeperOptions = {}, granted = GRANTED) {
  const transport = new FakeTransport();
  const opened = transport.nextSocket();
  const connecting = ZooKeeper.connect("127.0.0.1:2181", {
    transport,
    keepHostOrder: true,
    closeTimeout: 0,
    ...options,
  });
  const socket = await opened;
  await flush();
  let pings = 0;
  socket.onFrame = (frame) => {
    if (header(frame).xid !== -2) return;
    pings++;
    reply(socket, -2, 0n);
  };
  answerClose(socket);
  accept(socket, granted);
  const zk = await connecting;
  return { zk, transport, socket, pings: () => pings };
}

// The one request the silent server answers, so that close() need not wait
// out the read timeout: closeSession. The handler before it (pings) stays.
function answerClose(socket: FakeSocket): void {
  const ping = socket.onFrame;
  socket.onFrame = (frame) => {
    ping?.(frame);
    const { xid, type } = header(frame);
    if (type === OpCode.closeSession) reply(socket, xid, 0n);
  };
}

const timedOut = (e: unknown) => ZooKeeperError.is(e, "OPERATIONTIMEOUT");

function requestsSent(socket: FakeSocket): number {
  return socket.frames.slice(1).filter((f) => header(f).xid > 0).length;
}

describe("Calls to a server that answers pings but never a request", () => {
  it("a call with a timeout rejects with OPERATIONTIMEOUT while the connection lives on", async () => {
    const { zk, transport, socket, pings } = await silentServer();
    await assert.rejects(zk.getData("/a", { timeout: 2 * GRANTED }), (e: unknown) => {
      assert.ok(timedOut(e), String(e));
      assert.match((e as Error).message, /Cannot read "\/a": no reply within 3000 ms/);
      return true;
    });
    assert.ok(pings() >= 2, `pings answered: ${pings()}`);
    assert.equal(transport.sockets.length, 1);
    assert.equal(zk.state.type, "connected");
    assert.equal(requestsSent(socket), 1);
    await zk.close();
  });

  it("requestTimeout is the deadline of every call that gives none", async () => {
    const { zk } = await silentServer({ requestTimeout: 50 });
    await assert.rejects(zk.exists("/a"), timedOut);
    await assert.rejects(zk.multi([{ op: "check", path: "/a", version: 1 }]), timedOut);
    await zk.close();
  });

  it("an abort ends the wait with the signal's reason", async () => {
    const { zk } = await silentServer();
    const controller = new AbortController();
    const call = zk.sync("/a", { signal: controller.signal });
    const reason = new Error("no longer wanted");
    controller.abort(reason);
    await assert.rejects(call, (e: unknown) => e === reason);
    await zk.close();
  });

  it("a call queued while disconnected honours its timeout and is never sent", async () => {
    // Long enough a session that it outlives the disconnection.
    const { zk, transport } = await silentServer({ reconnectDelay: 0 }, 60_000);
    transport.refuse = new Error("refused");
    const down = new Promise<void>((resolve) =>
      zk.onStateChange((s) => s.type === "disconnected" && resolve())
    );
    transport.last.drop();
    await down;
    await assert.rejects(zk.getChildren("/a", { timeout: 50 }), timedOut);
    transport.refuse = undefined;
    const back = transport.nextSocket();
    const socket = await back;
    await flush();
    answerClose(socket);
    const up = new Promise<void>((resolve) =>
      zk.onStateChange((s) => s.type === "reconnected" && resolve())
    );
    accept(socket, 60_000, 0x1234n);
    await up;
    assert.equal(requestsSent(socket), 0);
    await zk.close();
  });
});

describe("ZooKeeper construction", () => {
  it("new ZooKeeper() says to use ZooKeeper.connect", () => {
    const Ctor = ZooKeeper as unknown as new () => ZooKeeper;
    assert.throws(() => new Ctor(), (e: unknown) => {
      assert.ok(e instanceof TypeError);
      assert.match(e.message, /use `await ZooKeeper\.connect\(/);
      return true;
    });
  });

  it("connect() refuses a session timeout a handshake cannot carry", async () => {
    for (const sessionTimeout of [2 ** 31, 1.5, -1, NaN, "10" as unknown as number]) {
      await assert.rejects(
        ZooKeeper.connect("127.0.0.1:2181", { sessionTimeout, transport: new FakeTransport() }),
        (e: unknown) => ZooKeeperError.is(e, "BADARGUMENTS") && /sessionTimeout/.test(e.message),
      );
    }
  });
});
