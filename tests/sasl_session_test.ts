import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { JuteReader } from "../src/jute/reader.ts";
import { ErrorCode, OpCode } from "../src/protocol/constants.ts";
import { ZooKeeperError } from "../src/protocol/errors.ts";
import { writePathRequest } from "../src/protocol/records_ops.ts";
import { parseDirectives } from "../src/session/digest_md5.ts";
import { Session } from "../src/session/session.ts";
import type { ConnectionState } from "../src/session/state.ts";
import { md5, toHex } from "../src/util/md5.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { type FakeSocket, FakeTransport, flush } from "./helpers/fake_transport.ts";
import { sessionOptions } from "./helpers/fake_session.ts";
import {
  readRequestHeader,
  writeConnectResponse,
  writeReplyHeader,
} from "./helpers/server_codec.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CHALLENGE = 'realm="zk-sasl-md5",nonce="n0nce",qop="auth",charset=utf-8,algorithm=md5-sess';

function setup(password = "pw") {
  const transport = new FakeTransport();
  const states: ConnectionState["type"][] = [];
  const session = new Session(sessionOptions(transport, new FakeClock(), {
    sasl: { mechanism: "DIGEST-MD5", username: "bob", password },
  }));
  session.start({
    notification: () => {},
    state: (s) => states.push(s.type),
    restoreWatches: () => [],
  });
  return { transport, session, states };
}

function accept(socket: FakeSocket) {
  socket.send((w) =>
    writeConnectResponse(w, {
      protocolVersion: 0,
      timeOut: 9000,
      sessionId: 7n,
      passwd: new Uint8Array(16),
      readOnly: false,
    })
  );
}

/** The request in a frame: its header and, for sasl, its token. */
function request(frame: Uint8Array) {
  const r = new JuteReader(frame);
  const header = readRequestHeader(r);
  return { ...header, token: header.type === OpCode.sasl ? r.readBuffer() : null };
}

function answer(socket: FakeSocket, xid: number, token: string | null, err = 0) {
  socket.send((w) => {
    writeReplyHeader(w, { xid, zxid: 0n, err });
    if (err === 0) w.writeBuffer(token === null ? null : encoder.encode(token));
  });
}

// What the server proves with: RFC 2831's response-auth, from the client's response.
function rspauth(response: string, password: string): string {
  const d = parseDirectives(response);
  const h = (s: string | Uint8Array) => md5(typeof s === "string" ? encoder.encode(s) : s);
  const secret = h(`${d.get("username")}:${d.get("realm")}:${password}`);
  const a1 = new Uint8Array([
    ...secret,
    ...encoder.encode(`:${d.get("nonce")}:${d.get("cnonce")}`),
  ]);
  const a2 = toHex(h(`:${d.get("digest-uri")}`));
  return toHex(
    h(`${toHex(h(a1))}:${d.get("nonce")}:${d.get("nc")}:${d.get("cnonce")}:auth:${a2}`),
  );
}

function sync(session: Session): Promise<unknown> {
  return session.submit({
    opcode: OpCode.sync,
    verb: "sync",
    path: "/a",
    encode: (w) => writePathRequest(w, { path: "/a" }),
  });
}

describe("Session with SASL", () => {
  it("logs in before anything else goes out; calls made meanwhile wait for the login", async () => {
    const { transport, session, states } = setup();
    const early = sync(session);
    await flush();
    const socket = transport.last;
    accept(socket);
    await flush();
    const first = request(socket.frames[1]);
    assert.equal(first.type, OpCode.sasl);
    assert.equal(first.token?.length, 0);
    const later = sync(session);
    assert.equal(session.connected, false);
    answer(socket, first.xid, CHALLENGE);
    await flush();
    assert.equal(socket.frames.length, 3, "only the sasl response went out");
    const second = request(socket.frames[2]);
    assert.equal(second.type, OpCode.sasl);
    const response = decoder.decode(second.token!);
    assert.match(response, /username="bob"/);
    assert.deepEqual(states, []);
    answer(socket, second.xid, `rspauth=${rspauth(response, "pw")}`);
    await flush();
    assert.deepEqual(states, ["connected"]);
    assert.deepEqual(socket.frames.slice(3).map((f) => request(f).type), [
      OpCode.sync,
      OpCode.sync,
    ]);
    const [a, b] = socket.frames.slice(3).map((f) => request(f).xid);
    answer(socket, a, null);
    socket.send((w) => writeReplyHeader(w, { xid: b, zxid: 0n, err: 0 }));
    await Promise.all([early, later]);
  });

  it("a refused login ends the session as authFailed and fails waiting calls with AUTHFAILED", async () => {
    const { transport, session, states } = setup("wrong");
    await flush();
    const socket = transport.last;
    accept(socket);
    await flush();
    const waiting = sync(session);
    answer(socket, request(socket.frames[1]).xid, CHALLENGE);
    await flush();
    answer(socket, request(socket.frames[2]).xid, null, ErrorCode.AUTHFAILED);
    await flush();
    assert.deepEqual(states, ["authFailed"]);
    assert.equal(socket.closed, true);
    await assert.rejects(waiting, (e: unknown) => ZooKeeperError.is(e, "AUTHFAILED"));
    assert.equal(socket.frames.length, 3, "the waiting call never went out");
  });

  it("a server whose proof is wrong is not trusted: authFailed", async () => {
    const { transport, session, states } = setup();
    await flush();
    const socket = transport.last;
    accept(socket);
    await flush();
    answer(socket, request(socket.frames[1]).xid, CHALLENGE);
    await flush();
    answer(socket, request(socket.frames[2]).xid, "rspauth=00000000000000000000000000000000");
    await flush();
    assert.deepEqual(states, ["authFailed"]);
    assert.match(session.lastError?.message ?? "", /rspauth/);
  });
});
