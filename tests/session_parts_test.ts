import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { JuteReader } from "../src/jute/reader.ts";
import { ErrorCode } from "../src/protocol/constants.ts";
import { ZooKeeperError } from "../src/protocol/errors.ts";
import { AuthBook } from "../src/session/auth_book.ts";
import { HostRing } from "../src/session/host_ring.ts";
import { ReconnectPacing } from "../src/session/reconnect_pacing.ts";
import { type PendingRequest, RequestQueue } from "../src/session/request_queue.ts";
import { SessionIdentity } from "../src/session/session_identity.ts";
import {
  endCode,
  endOfKeeperState,
  isConnected,
  isFinal,
  keeperState,
} from "../src/session/state.ts";

const hosts = [1, 2, 3].map((port) => ({ host: "127.0.0.1", port }));

function pending(xid: number, outcome: { value?: unknown; error?: Error }): PendingRequest {
  return {
    xid,
    frame: new Uint8Array(0),
    verb: "read",
    path: "/a",
    decode: () => "decoded",
    onReply: undefined,
    nullOn: undefined,
    resolve: (value) => outcome.value = value,
    reject: (error) => outcome.error = error,
  };
}

describe("HostRing", () => {
  it("HostRing.advance() goes round the hosts in order", () => {
    const ring = new HostRing(hosts);
    const seen = [0, 1, 2, 3].map(() => ring.advance().port);
    assert.deepEqual(seen, [1, 2, 3, 1]);
  });

  it("HostRing.choose() makes the next advance land on the chosen host", () => {
    const ring = new HostRing(hosts);
    ring.advance();
    ring.choose(2);
    assert.equal(ring.advance().port, 3);
    assert.equal(ring.index, 2);
    assert.equal(ring.advance().port, 1);
  });
});

describe("RequestQueue", () => {
  it("RequestQueue.nextXid() wraps from 2^31-1 to 1", () => {
    const queue = new RequestQueue(0x7fffffff);
    assert.equal(queue.nextXid(), 0x7fffffff);
    assert.equal(queue.nextXid(), 1);
  });

  it("RequestQueue.match() settles replies in order and refuses one out of order", () => {
    const queue = new RequestQueue();
    const first = {}, second: { error?: Error } = {};
    queue.sent(pending(1, first));
    queue.sent(pending(2, second));
    queue.settle(queue.match(1), 0, new JuteReader(new Uint8Array(0)));
    assert.deepEqual(first, { value: "decoded" });
    assert.throws(() => queue.match(3), (e) => ZooKeeperError.is(e, "MARSHALLINGERROR"));
    assert.ok(ZooKeeperError.is(second.error, "CONNECTIONLOSS"));
  });

  it("RequestQueue.settle() answers null for the request's nullOn code, after onReply sees it", () => {
    const queue = new RequestQueue();
    const seen: number[] = [];
    const missing: { value?: unknown; error?: Error } = {};
    const failed: { value?: unknown; error?: Error } = {};
    const nodeCode = ErrorCode.NONODE;
    queue.sent({ ...pending(1, missing), nullOn: nodeCode, onReply: (err) => seen.push(err) });
    queue.sent({ ...pending(2, failed), nullOn: nodeCode });
    queue.settle(queue.match(1), nodeCode, new JuteReader(new Uint8Array(0)));
    queue.settle(queue.match(2), ErrorCode.NOAUTH, new JuteReader(new Uint8Array(0)));
    assert.deepEqual(missing, { value: null });
    assert.deepEqual(seen, [nodeCode]);
    assert.ok(ZooKeeperError.is(failed.error, "NOAUTH"));
  });

  it("RequestQueue.failAwaiting() keeps the requests held offline; failAll() takes them too", () => {
    const queue = new RequestQueue();
    const sent: { error?: Error } = {}, held: { error?: Error } = {};
    queue.sent(pending(1, sent));
    queue.hold(pending(2, held));
    queue.failAwaiting(() => new Error("lost"));
    assert.equal(sent.error?.message, "lost");
    assert.equal(held.error, undefined);
    queue.failAll(() => new Error("closed"));
    assert.equal((held as { error?: Error }).error?.message, "closed");
    assert.deepEqual(queue.takeOffline(), []);
  });
});

describe("ReconnectPacing", () => {
  const refused = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
  const pacing = () =>
    new ReconnectPacing(new HostRing(hosts), {
      reconnectDelay: 1000,
      cycleDelay: 250,
      random: () => 0.5,
    });

  it("ReconnectPacing.failed() pauses after a whole round, and a random part after a live loss", () => {
    const p = pacing();
    assert.deepEqual([1, 2, 3, 4].map(() => p.failed(new Error("x"), false, true)), [0, 0, 250, 0]);
    assert.equal(p.failed(new Error("lost"), true, true), 500);
    assert.equal(p.failed(new Error("moving"), true, true, 0), 0);
    p.established();
    assert.deepEqual([1, 2, 3].map(() => p.failed(new Error("x"), false, true)), [0, 0, 250]);
  });

  it("ReconnectPacing.onAllRefused() hears once that a whole round was refused before any session", async () => {
    const p = pacing();
    const heard: Error[] = [];
    let done!: () => void;
    const called = new Promise<void>((resolve) => done = resolve);
    p.onAllRefused((error) => {
      heard.push(error);
      done();
    });
    p.failed(refused(), false, false);
    p.failed(new Error("timed out"), false, false);
    p.failed(refused(), false, false);
    const last = refused();
    [refused(), refused()].forEach((e) => p.failed(e, false, false));
    p.failed(last, false, false);
    await called;
    [refused(), refused(), refused()].forEach((e) => p.failed(e, false, false));
    const late = await new Promise<Error>((resolve) => p.onAllRefused(resolve));
    assert.deepEqual([heard, late], [[last], last]);
  });

  it("ReconnectPacing.onAllRefused() returns the removal of its listener", async () => {
    const p = pacing();
    const heard: Error[] = [];
    p.onAllRefused((error) => heard.push(error))();
    [refused(), refused(), refused()].forEach((e) => p.failed(e, false, false));
    await new Promise<Error>((resolve) => p.onAllRefused(resolve));
    assert.deepEqual(heard, []);
  });

  it("ReconnectPacing.onAllRefused() calls no listener removed while its call was due", async () => {
    const p = pacing();
    const heard: string[] = [];
    const early = p.onAllRefused(() => heard.push("early"));
    [refused(), refused(), refused()].forEach((e) => p.failed(e, false, false));
    early();
    p.onAllRefused(() => heard.push("late"))();
    await new Promise<Error>((resolve) => p.onAllRefused(resolve));
    assert.deepEqual(heard, []);
  });
});

describe("AuthBook", () => {
  it("AuthBook.replay() sends every credential again, answering the first caller once", () => {
    const book = new AuthBook();
    let answered = 0;
    const waiter = { resolve: () => answered++, reject: () => {} };
    assert.equal(book.add("digest", new Uint8Array([1]), waiter, false), undefined);
    assert.equal(book.replay().length, 1);
    book.answered()?.resolve();
    assert.equal(book.replay().length, 1);
    assert.equal(book.answered(), undefined);
    assert.equal(answered, 1);
  });

  it("AuthBook.failAll() rejects callers whose credentials were never sent", () => {
    const book = new AuthBook();
    let error: Error | undefined;
    book.add("digest", new Uint8Array([1]), { resolve: () => {}, reject: (e) => error = e }, false);
    book.failAll(new Error("closed"));
    assert.equal(error?.message, "closed");
  });
});

describe("state", () => {
  it("isFinal(), endCode() and keeperState() say what a state means", () => {
    assert.equal(isFinal({ type: "expired" }), true);
    assert.equal(isFinal({ type: "connecting" }), false);
    assert.equal(endCode({ type: "authFailed" }), "AUTHFAILED");
    assert.equal(endCode({ type: "closed" }), "CLOSED");
    assert.equal(keeperState({ type: "connecting" }), "Disconnected");
    assert.equal(keeperState({ type: "expired" }), "Expired");
  });

  it("isConnected() is true for the three live states only, a registry's stopped included", () => {
    const live = ["connected", "connectedReadOnly", "reconnected"];
    const others = ["connecting", "disconnected", "expired", "authFailed", "closed", "stopped"];
    for (const type of live) assert.equal(isConnected({ type }), true, type);
    for (const type of others) assert.equal(isConnected({ type }), false, type);
  });
});

describe("endOfKeeperState()", () => {
  it("endOfKeeperState() names the end of a final session event and nothing else", () => {
    assert.equal(endOfKeeperState("Expired"), "SESSIONEXPIRED");
    assert.equal(endOfKeeperState("AuthFailed"), "AUTHFAILED");
    assert.equal(endOfKeeperState("Closed"), "CLOSED");
    assert.equal(endOfKeeperState("Disconnected"), undefined);
  });
});

describe("SessionIdentity", () => {
  const every = Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 200) % 256);

  it("SessionIdentity keeps the granted password byte for byte and hands out copies", () => {
    const identity = new SessionIdentity(9000);
    assert.deepEqual(identity.password, new Uint8Array(16));
    identity.adopt({
      protocolVersion: 0,
      timeOut: 6000,
      sessionId: 7n,
      passwd: every.slice(),
      readOnly: false,
    }, undefined);
    assert.deepEqual(identity.password, every);
    identity.password.fill(0);
    assert.deepEqual(identity.password, every);
    assert.deepEqual(identity.handshake(9000, false).passwd, every);
    assert.equal(identity.handshake(9000, false).sessionId, 7n);
  });

  it("SessionIdentity resumes a session with the password it is given", () => {
    const resumed = new SessionIdentity(9000, { sessionId: 5n, password: every.subarray(0, 12) });
    assert.deepEqual(resumed.handshake(9000, false).passwd, every.subarray(0, 12));
    assert.equal(resumed.handshake(9000, false).sessionId, 5n);
  });
});
