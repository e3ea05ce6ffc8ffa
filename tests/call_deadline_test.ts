/**
 * Deadlines and aborts of single calls, on a fake server and the fake clock:
 * a server that answers pings but never a request must not hold a call for
 * ever, and a call that gives up must not shift the replies of the others.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { writePathRequest } from "../src/protocol/records_ops.ts";
import { OpCode } from "../src/protocol/constants.ts";
import { ZooKeeperError } from "../src/protocol/errors.ts";
import { MAX_SESSION_TIMEOUT } from "../src/session/session.ts";
import type { Session } from "../src/session/session.ts";
import type { CallOptions } from "../src/session/call.ts";
import { type FakeSocket, flush } from "./helpers/fake_transport.ts";
import { accept, connected, header, reply, setup } from "./helpers/fake_session.ts";
import type { FakeClock } from "../src/testing/fake_clock.ts";

function syncCall(session: Session, path: string, call?: CallOptions): Promise<unknown> {
  return session.submit({
    opcode: OpCode.sync,
    verb: "sync",
    path,
    encode: (w) => writePathRequest(w, { path }),
    decode: (r) => r.readString(),
  }, call);
}

const isTimeout = (e: unknown) => ZooKeeperError.is(e, "OPERATIONTIMEOUT");

// Plays a server that keeps the connection alive but never answers a request:
// every ping written is answered, nothing else.
function answerPings(socket: FakeSocket, from: number): number {
  let seen = from;
  for (; seen < socket.frames.length; seen++) {
    if (header(socket.frames[seen]).xid === -2) reply(socket, -2, 0n);
  }
  return seen;
}

async function advanceAnsweringPings(clock: FakeClock, socket: FakeSocket, ms: number) {
  let seen = 0;
  for (let t = 0; t < ms; t += 500) {
    clock.advance(500);
    await flush();
    seen = answerPings(socket, seen);
  }
}

describe("Call deadlines on a server that answers pings but never a request", () => {
  it("a call with a timeout rejects with OPERATIONTIMEOUT; the connection stays", async () => {
    const { session, transport, clock, states } = await connected();
    const socket = transport.last;
    const late = syncCall(session, "/a", { timeout: 20_000 });
    let settled = false;
    late.catch(() => {}).finally(() => settled = true);
    await advanceAnsweringPings(clock, socket, 19_500);
    assert.equal(settled, false, "rejected before its deadline");
    assert.ok(socket.frames.some((f) => header(f).xid === -2), "the server was pinged");
    await advanceAnsweringPings(clock, socket, 500);
    await assert.rejects(late, (e: unknown) => {
      assert.ok(isTimeout(e));
      assert.match((e as Error).message, /Cannot sync "\/a": no reply within 20000 ms/);
      return true;
    });
    assert.equal(transport.sockets.length, 1);
    assert.equal(socket.closed, false);
    assert.equal(states.at(-1)?.type, "connected");
  });

  it("a late reply is dropped by its xid and the next reply reaches the next call", async () => {
    const { session, transport, clock } = await connected();
    const socket = transport.last;
    const first = syncCall(session, "/a", { timeout: 1000 });
    const second = syncCall(session, "/b");
    await flush();
    clock.advance(1000);
    await assert.rejects(first, isTimeout);
    reply(socket, 1, 5n, 0, (w) => writePathRequest(w, { path: "/a" }));
    reply(socket, 2, 6n, 0, (w) => writePathRequest(w, { path: "/b" }));
    assert.equal(await second, "/b");
    assert.equal(socket.closed, false);
    assert.equal(session.identity.lastZxid, 6n);
  });

  it("an abort rejects with the signal's reason and leaves the reply order intact", async () => {
    const { session, transport } = await connected();
    const socket = transport.last;
    const abort = new AbortController();
    const first = syncCall(session, "/a", { signal: abort.signal });
    const second = syncCall(session, "/b");
    await flush();
    const reason = new Error("no longer needed");
    abort.abort(reason);
    await assert.rejects(first, (e: unknown) => e === reason);
    reply(socket, 1, 5n, 0, (w) => writePathRequest(w, { path: "/a" }));
    reply(socket, 2, 6n, 0, (w) => writePathRequest(w, { path: "/b" }));
    assert.equal(await second, "/b");
  });

  it("a signal aborted before the call sends nothing", async () => {
    const { session, transport } = await connected();
    const reason = new Error("already");
    await assert.rejects(
      syncCall(session, "/a", { signal: AbortSignal.abort(reason) }),
      (e: unknown) => e === reason,
    );
    await flush();
    assert.equal(transport.last.frames.length, 1, "only the handshake was written");
  });

  it("a call queued while disconnected honours its deadline and is never sent", async () => {
    const { session, transport, clock } = setup();
    await flush();
    const queued = syncCall(session, "/a", { timeout: 2000 });
    const abort = new AbortController();
    const aborted = syncCall(session, "/b", { signal: abort.signal });
    const kept = syncCall(session, "/c");
    abort.abort(new Error("stop"));
    await assert.rejects(aborted, /stop/);
    clock.advance(2000);
    await assert.rejects(queued, isTimeout);
    accept(transport.last);
    await flush();
    const sent = transport.last.frames.slice(1).map((f) => header(f));
    assert.deepEqual(sent.map((h) => h.type), [OpCode.sync]);
    reply(transport.last, sent[0].xid, 3n, 0, (w) => writePathRequest(w, { path: "/c" }));
    assert.equal(await kept, "/c");
  });

  it("a reply before the deadline clears its timer", async () => {
    const { session, transport, clock } = await connected();
    const pending = clock.pending;
    const call = syncCall(session, "/a", { timeout: 5000 });
    await flush();
    assert.equal(clock.pending, pending + 1);
    reply(transport.last, 1, 5n, 0, (w) => writePathRequest(w, { path: "/a" }));
    assert.equal(await call, "/a");
    assert.equal(clock.pending, pending);
  });
});

describe("Session timeouts a timer cannot wait", () => {
  it("a granted timeout past the limit is lowered with a warning, not an expiry at once", async () => {
    const warnings: Error[] = [];
    const { session, transport, clock, states } = setup({}, [], (e) => warnings.push(e));
    await flush();
    accept(transport.last, 2 ** 31 - 1);
    await flush();
    assert.equal(session.identity.timeout, MAX_SESSION_TIMEOUT);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /granted a session timeout of 2147483647 ms/);
    transport.refuse = new Error("refused");
    transport.last.drop();
    await flush();
    clock.advance(60_000);
    await flush();
    assert.equal(states.at(-1)?.type, "disconnected");
  });
});
