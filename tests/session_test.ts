import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { JuteReader } from "../src/jute/reader.ts";
import { OpCode } from "../src/protocol/constants.ts";
import { writePathRequest } from "../src/protocol/records_ops.ts";
import { ZooKeeperError } from "../src/protocol/errors.ts";
import { FakeTransport, flush } from "./helpers/fake_transport.ts";
import { Session } from "../src/session/session.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import {
  accept,
  connected,
  header,
  PASSWORD,
  reply,
  sessionOptions,
  setup,
  sync,
} from "./helpers/fake_session.ts";
import { readConnectRequest, writeReplyHeader, writeWatcherEvent } from "./helpers/server_codec.ts";

describe("Session", () => {
  it("opens no connection until started, and starts once", async () => {
    const transport = new FakeTransport();
    const session = new Session(sessionOptions(transport, new FakeClock()));
    await flush();
    assert.equal(transport.sockets.length, 0);
    const listener = { notification() {}, state() {}, restoreWatches: () => [] };
    session.start(listener);
    await flush();
    assert.equal(transport.sockets.length, 1);
    assert.throws(() => session.start(listener), /started already/);
    await session.close();
  });

  it("sends a ConnectRequest with protocol 0, the requested timeout and the readOnly byte", async () => {
    const { transport } = setup({ readOnly: true });
    await flush();
    const frame = transport.last.frames[0];
    assert.equal(frame.length, 4 + 8 + 4 + 8 + 4 + 16 + 1);
    const req = readConnectRequest(new JuteReader(frame));
    assert.deepEqual(req, {
      protocolVersion: 0,
      lastZxidSeen: 0n,
      timeOut: 9000,
      sessionId: 0n,
      passwd: new Uint8Array(16),
      readOnly: true,
    });
  });

  it("becomes connected with the negotiated timeout and session id", async () => {
    const { session, states } = await connected();
    assert.equal(session.connected, true);
    assert.equal(session.identity.sessionId, 0x1234n);
    assert.equal(session.identity.timeout, 9000);
    assert.deepEqual(session.identity.password, PASSWORD);
    assert.equal(states.at(-1)?.type, "connected");
  });

  it("numbers requests from xid 1 and matches replies in order", async () => {
    const { session, transport } = await connected();
    const a = sync(session, "/a");
    const b = sync(session, "/b");
    await flush();
    const socket = transport.last;
    assert.deepEqual(socket.frames.slice(1).map((f) => header(f)), [
      { xid: 1, type: OpCode.sync },
      { xid: 2, type: OpCode.sync },
    ]);
    // Two calls in one turn went out in one write.
    assert.equal(socket.writes, 2);
    reply(socket, 1, 10n, 0, (w) => writePathRequest(w, { path: "/a" }));
    reply(socket, 2, 11n, 0, (w) => writePathRequest(w, { path: "/b" }));
    assert.deepEqual(await a, { path: "/a" });
    assert.deepEqual(await b, { path: "/b" });
    assert.equal(session.identity.lastZxid, 11n);
  });

  it("sends a long burst in parts of 16 KiB as it is made, the rest when the turn ends", async () => {
    const { session, transport } = await connected();
    const socket = transport.last;
    const before = socket.writes;
    // Frames of 3,016 bytes: every sixth passes 16 KiB.
    const long = `/${"a".repeat(2999)}`;
    const calls = Array.from({ length: 13 }, () => sync(session, long));
    assert.equal(socket.writes, before + 2);
    await flush();
    assert.equal(socket.writes, before + 3);
    const xids = socket.frames.slice(-13).map((f) => header(f).xid);
    assert.deepEqual(xids, Array.from({ length: 13 }, (_, i) => i + 1));
    for (const xid of xids) reply(socket, xid, 10n, 0, (w) => writePathRequest(w, { path: long }));
    assert.equal((await Promise.all(calls)).length, 13);
  });

  it("wraps xids back to 1 before 2^31", async () => {
    const { session, transport } = setup({ firstXid: 0x7ffffffe });
    await flush();
    accept(transport.last);
    await flush();
    for (let i = 0; i < 3; i++) sync(session).catch(() => {});
    await flush();
    assert.deepEqual(transport.last.frames.slice(1).map((f) => header(f).xid), [
      0x7ffffffe,
      0x7fffffff,
      1,
    ]);
  });

  it("takes lastZxid only from replies whose zxid is positive", async () => {
    const { session, transport } = await connected();
    const a = sync(session);
    const b = sync(session);
    await flush();
    reply(
      transport.last,
      1,
      42n,
      0,
      (w) => writePathRequest(w, { path: "/a" }),
    );
    reply(transport.last, 2, -1n, -101);
    await a;
    await assert.rejects(b);
    assert.equal(session.identity.lastZxid, 42n);
  });

  it("rejects a request with the server's error code, named", async () => {
    const { session, transport } = await connected();
    const p = sync(session, "/x");
    await flush();
    reply(transport.last, 1, 5n, -101);
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof ZooKeeperError);
      assert.equal(e.code, "NONODE");
      assert.equal(e.path, "/x");
      assert.equal(e.message, 'Cannot sync "/x": node does not exist');
      return true;
    });
  });

  it("keeps pings, notifications, auth and SetWatches replies out of the pending queue", async () => {
    const { session, transport, events } = await connected();
    const p = sync(session);
    await flush();
    const socket = transport.last;
    reply(socket, -2, 0n);
    socket.send((w) => {
      writeReplyHeader(w, { xid: -1, zxid: -1n, err: 0 });
      writeWatcherEvent(w, { type: 3, state: 3, path: "/w" });
    });
    reply(socket, -8, 0n);
    reply(socket, 1, 7n, 0, (w) => writePathRequest(w, { path: "/a" }));
    assert.deepEqual(await p, { path: "/a" });
    assert.deepEqual(events, [{ type: 3, state: 3, path: "/w" }]);
  });

  it("treats a reply out of order as a lost connection", async () => {
    const { session, transport, states } = await connected();
    const p1 = sync(session);
    const p2 = sync(session);
    await flush();
    reply(transport.last, 2, 7n, 0, (w) => writePathRequest(w, { path: "/a" }));
    for (const p of [p1, p2]) {
      await assert.rejects(p, (e: unknown) => {
        assert.ok(e instanceof ZooKeeperError);
        assert.equal(e.code, "CONNECTIONLOSS");
        assert.match(String((e.cause as Error).message), /out of order/);
        return true;
      });
    }
    assert.equal(transport.sockets[0].closed, true);
    assert.equal(states.at(-1)?.type, "disconnected");
  });

  it("fails the one call whose reply is over the size limit, and the connection goes on", async () => {
    const { session, transport, states } = await connected();
    const p1 = sync(session);
    const p2 = sync(session);
    await flush();
    reply(transport.last, 1, 9n, 0, (w) => w.writeString("x".repeat(5000)));
    reply(transport.last, 2, 10n, 0, (w) => w.writeString("/a"));
    await assert.rejects(p1, (e: unknown) => {
      assert.ok(ZooKeeperError.is(e, "MARSHALLINGERROR"));
      assert.match(e.message, /reply of 5020 bytes is over the receive limit of 4096 bytes/);
      assert.equal(e.path, "/a");
      return true;
    });
    assert.deepEqual(await p2, { path: "/a" });
    assert.equal(session.identity.lastZxid, 10n);
    assert.equal(transport.sockets[0].closed, false);
    assert.equal(states.at(-1)?.type, "connected");
  });

  it("closes the connection on a notification over the size limit", async () => {
    const { session, transport, states } = await connected();
    const p = sync(session);
    await flush();
    reply(transport.last, -1, 9n, 0, (w) => w.writeString("x".repeat(5000)));
    await assert.rejects(p, (e: unknown) => {
      assert.ok(ZooKeeperError.is(e, "CONNECTIONLOSS"));
      assert.ok(ZooKeeperError.is(e.cause, "MARSHALLINGERROR"));
      assert.match(e.cause.message, /Frame length 5020 is out of range/);
      return true;
    });
    assert.equal(transport.sockets[0].closed, true);
    assert.equal(states.at(-1)?.type, "disconnected");
  });

  it("fails a malformed reply with MARSHALLINGERROR and the others with CONNECTIONLOSS", async () => {
    const { session, transport } = await connected();
    const p1 = sync(session);
    const p2 = sync(session);
    await flush();
    // A SyncResponse whose string claims more bytes than the frame has.
    reply(transport.last, 1, 7n, 0, (w) => w.writeInt(50));
    await assert.rejects(
      p1,
      (e: unknown) => e instanceof ZooKeeperError && e.code === "MARSHALLINGERROR",
    );
    await assert.rejects(
      p2,
      (e: unknown) => e instanceof ZooKeeperError && e.code === "CONNECTIONLOSS",
    );
  });
});
