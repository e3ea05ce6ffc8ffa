import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { JuteReader } from "../src/jute/reader.ts";
import { OpCode } from "../src/protocol/constants.ts";
import { writePathRequest } from "../src/protocol/records_ops.ts";
import type { ControlRequest } from "../src/session/request_encoder.ts";
import { ZooKeeperError } from "../src/protocol/errors.ts";
import { flush } from "./helpers/fake_transport.ts";
import { accept, connected, header, PASSWORD, reply, setup, sync } from "./helpers/fake_session.ts";
import {
  readAuthPacket,
  readConnectRequest,
  readRequestHeader,
  readSetWatches,
} from "./helpers/server_codec.ts";

describe("Session: reconnection, expiry, heartbeat, close and read-only servers", () => {
  it("reconnects to the next host with the same session id, password and lastZxid", async () => {
    const { session, transport, clock, states } = await connected();
    const p = sync(session);
    await flush();
    reply(
      transport.last,
      1,
      77n,
      0,
      (w) => writePathRequest(w, { path: "/a" }),
    );
    await p;
    transport.last.drop(new Error("reset"));
    assert.equal(states.at(-1)?.type, "disconnected");
    clock.advance(0);
    await flush();
    assert.equal(transport.sockets.length, 2);
    assert.notEqual(
      transport.sockets[1].options.host,
      transport.sockets[0].options.host,
    );
    const req = readConnectRequest(new JuteReader(transport.last.frames[0]));
    assert.equal(req.sessionId, 0x1234n);
    assert.deepEqual(req.passwd, PASSWORD);
    assert.equal(req.lastZxidSeen, 77n);
    accept(transport.last);
    await flush();
    assert.equal(states.at(-1)?.type, "reconnected");
  });

  it("keeps requests made while disconnected and sends them after auth and SetWatches", async () => {
    const restore: ControlRequest[] = [{
      opcode: OpCode.setWatches,
      encode: (w) => {
        w.writeLong(0n);
        w.writeStringVector(["/watched"]);
        w.writeStringVector([]);
        w.writeStringVector([]);
      },
    }];
    const { session, transport, clock } = setup({}, restore);
    await flush();
    accept(transport.last);
    await flush();
    session.addAuth("digest", new TextEncoder().encode("u:p")).catch(() => {});
    await flush();
    transport.last.drop();
    const queued = sync(session, "/queued");
    clock.advance(0);
    await flush();
    const socket = transport.last;
    assert.equal(
      socket.frames.length,
      1,
      "only the ConnectRequest before the handshake",
    );
    accept(socket);
    await flush();
    const kinds = socket.frames.slice(1).map((f) => header(f));
    assert.deepEqual(kinds, [
      { xid: -4, type: OpCode.auth },
      { xid: -8, type: OpCode.setWatches },
      { xid: 1, type: OpCode.sync },
    ]);
    const auth = new JuteReader(socket.frames[1]);
    readRequestHeader(auth);
    assert.equal(readAuthPacket(auth).scheme, "digest");
    const sw = new JuteReader(socket.frames[2]);
    readRequestHeader(sw);
    assert.deepEqual(readSetWatches(sw).dataWatches, ["/watched"]);
    reply(socket, 1, 3n, 0, (w) => writePathRequest(w, { path: "/queued" }));
    assert.deepEqual(await queued, { path: "/queued" });
  });

  it("reports expiry when the server answers the resume with timeout 0", async () => {
    const { session, transport, clock, states } = await connected();
    transport.last.drop();
    const waiting = sync(session);
    clock.advance(0);
    await flush();
    accept(transport.last, 0, 0n);
    await assert.rejects(
      waiting,
      (e: unknown) => e instanceof ZooKeeperError && e.code === "SESSIONEXPIRED",
    );
    assert.equal(states.at(-1)?.type, "expired");
    assert.equal(session.ended, true);
    await assert.rejects(
      sync(session),
      (e: unknown) => e instanceof ZooKeeperError && e.code === "SESSIONEXPIRED",
    );
    assert.equal(clock.pending, 0);
  });

  it("declares the session expired when disconnected for 4/3 of its timeout", async () => {
    const { transport, clock, states } = await connected();
    transport.refuse = new Error("refused");
    transport.last.drop();
    clock.advance(11999);
    await flush();
    assert.notEqual(states.at(-1)?.type, "expired");
    clock.advance(2);
    await flush();
    assert.equal(states.at(-1)?.type, "expired");
  });

  it("lets a reconnect handshake in flight at the expiry deadline finish", async () => {
    const { transport, clock, states } = await connected();
    transport.refuse = new Error("refused");
    transport.last.drop();
    clock.advance(10500);
    await flush();
    transport.refuse = undefined;
    clock.advance(500);
    await flush();
    // The handshake was sent before the deadline; the server has not answered.
    clock.advance(2000);
    await flush();
    assert.equal(states.at(-1)?.type, "disconnected");
    accept(transport.last);
    await flush();
    assert.equal(states.at(-1)?.type, "reconnected");
  });

  it("declares the session expired when the handshake in flight at the deadline fails", async () => {
    const { transport, clock, states } = await connected();
    transport.refuse = new Error("refused");
    transport.last.drop();
    clock.advance(10500);
    await flush();
    transport.refuse = undefined;
    clock.advance(2000);
    await flush();
    assert.equal(states.at(-1)?.type, "disconnected");
    transport.last.drop();
    await flush();
    assert.equal(states.at(-1)?.type, "expired");
  });

  it("pings after a third of the session timeout without sends", async () => {
    const { transport, clock } = await connected();
    const socket = transport.last;
    const before = socket.frames.length;
    clock.advance(2999);
    await flush();
    assert.equal(socket.frames.length, before);
    clock.advance(1);
    await flush();
    assert.deepEqual(header(socket.frames[before]), {
      xid: -2,
      type: OpCode.ping,
    });
  });

  it("declares the connection lost when nothing arrives for two thirds of the timeout", async () => {
    const { transport, clock, states } = await connected();
    clock.advance(5999);
    assert.equal(states.at(-1)?.type, "connected");
    clock.advance(1);
    assert.equal(states.at(-1)?.type, "disconnected");
    const last = states.at(-1);
    assert.ok(
      last?.type === "disconnected" &&
        /No reply from the server for 6000 ms/.test(last.error.message),
    );
    assert.equal(transport.sockets[0].closed, true);
  });

  it("a reply resets the read deadline", async () => {
    const { transport, clock, states } = await connected();
    clock.advance(5000);
    reply(transport.last, -2, 0n);
    clock.advance(5000);
    assert.equal(states.at(-1)?.type, "connected");
  });

  it("close() sends closeSession, waits for its reply and rejects later calls with CLOSED", async () => {
    const { session, transport, states, clock } = await connected();
    const closing = session.close();
    await flush();
    const socket = transport.last;
    assert.deepEqual(header(socket.frames.at(-1)!), {
      xid: 1,
      type: OpCode.closeSession,
    });
    assert.equal(session.ended, false);
    reply(socket, 1, 9n);
    await closing;
    assert.equal(states.at(-1)?.type, "closed");
    assert.equal(socket.closed, true);
    await assert.rejects(
      sync(session),
      (e: unknown) => e instanceof ZooKeeperError && e.code === "CLOSED",
    );
    assert.equal(clock.pending, 0);
  });

  it("ends with authFailed when the server refuses credentials", async () => {
    const { session, transport, states } = await connected();
    const auth = session.addAuth("digest", new TextEncoder().encode("bad"));
    const p = sync(session);
    await flush();
    reply(transport.last, -4, 0n, -115);
    await assert.rejects(
      auth,
      (e: unknown) => e instanceof ZooKeeperError && e.code === "AUTHFAILED",
    );
    await assert.rejects(
      p,
      (e: unknown) => e instanceof ZooKeeperError && e.code === "AUTHFAILED",
    );
    assert.equal(states.at(-1)?.type, "authFailed");
  });

  it("refuses a request frame over the size limit before sending it", async () => {
    const { session, transport } = await connected();
    const before = transport.last.frames.length;
    await assert.rejects(
      session.submit({
        opcode: OpCode.setData,
        verb: "write",
        path: "/big",
        encode: (w) => w.writeBuffer(new Uint8Array(5000)),
      }),
      (e: unknown) =>
        e instanceof ZooKeeperError && e.code === "BADARGUMENTS" &&
        /exceeds the limit/.test(e.message),
    );
    await flush();
    assert.equal(transport.last.frames.length, before);
  });

  it("rejects requests made while disconnected at once with failFast", async () => {
    const { session, transport } = setup({ failFast: true });
    await flush();
    accept(transport.last);
    await flush();
    transport.last.drop();
    await assert.rejects(
      sync(session),
      (e: unknown) => e instanceof ZooKeeperError && e.code === "CONNECTIONLOSS",
    );
  });

  it("reconnects with session id 0 after seeing only read-only servers", async () => {
    const { transport, clock, states } = setup({ readOnly: true });
    await flush();
    accept(transport.last, 9000, 0x77n, true);
    await flush();
    assert.equal(states.at(-1)?.type, "connectedReadOnly");
    transport.sockets[0].drop();
    clock.advance(0);
    await flush();
    const req = readConnectRequest(new JuteReader(transport.sockets.at(-1)!.frames[0]));
    assert.equal(req.sessionId, 0n);
    assert.equal(req.readOnly, true);
  });

  it("moves from a read-only server to one that answers isro with rw", async () => {
    const { transport, clock, states } = setup({ readOnly: true, probeDelay: 100 });
    await flush();
    const readOnlySocket = transport.last;
    accept(readOnlySocket, 9000, 0x77n, true);
    await flush();
    clock.advance(100);
    await flush();
    const probe = transport.last;
    assert.notEqual(probe, readOnlySocket);
    assert.equal(new TextDecoder().decode(probe.raw[0]), "isro");
    probe.sendRaw(new TextEncoder().encode("rw"));
    probe.drop();
    await flush();
    assert.equal(readOnlySocket.closed, true);
    clock.advance(0);
    await flush();
    const next = transport.last;
    assert.equal(next.options.host, probe.options.host);
    accept(next, 9000, 0x78n, false);
    await flush();
    assert.equal(states.at(-1)?.type, "connected");
  });

  it("keeps probing with growing delays while every other server is read-only", async () => {
    const { transport, clock } = setup({ readOnly: true, probeDelay: 100 });
    await flush();
    accept(transport.last, 9000, 0x77n, true);
    await flush();
    const probeTimes: number[] = [];
    for (let t = 0; t < 800; t += 10) {
      clock.advance(10);
      await flush();
      const last = transport.last;
      if (last !== transport.sockets[0] && !last.closed) {
        probeTimes.push(clock.now());
        last.sendRaw(new TextEncoder().encode("ro"));
        last.drop();
        await flush();
      }
    }
    assert.deepEqual(probeTimes, [100, 300, 700]);
  });

  it("reports a server that refuses the session with a bare reply header", async () => {
    const { transport, states, session } = setup();
    await flush();
    reply(transport.last, 0, 0n, -119);
    assert.equal(transport.sockets[0].closed, true);
    assert.match(session.lastError?.message ?? "", /refused the session: server is read-only/);
    assert.equal(states.length, 0);
  });
});
