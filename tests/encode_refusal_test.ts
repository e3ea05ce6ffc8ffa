/**
 * The encoder refuses what it cannot encode exactly, and a request that
 * cannot be encoded never becomes a frame awaiting a reply.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { JuteWriter } from "../src/jute/writer.ts";
import { OpCode } from "../src/protocol/constants.ts";
import { ZooKeeperError } from "../src/protocol/errors.ts";
import { writeSetDataRequest } from "../src/protocol/records_ops.ts";
import { encodeRequest } from "../src/session/request_encoder.ts";
import { type PendingRequest, RequestQueue } from "../src/session/request_queue.ts";
import { flush } from "./helpers/fake_transport.ts";
import { connected, header, reply, sync } from "./helpers/fake_session.ts";
import { writePathRequest } from "../src/protocol/records_ops.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

describe("JuteWriter refusals", () => {
  it("JuteWriter.writeInt() refuses what is not a signed 32-bit integer", () => {
    for (const value of [2 ** 31, 2 ** 32 - 1, -(2 ** 31) - 1, 1.5, NaN, Infinity, "1"]) {
      assert.throws(() => new JuteWriter().writeInt(value as Any), RangeError, String(value));
    }
    const w = new JuteWriter();
    w.writeInt(-(2 ** 31));
    w.writeInt(2 ** 31 - 1);
    assert.equal(w.length, 8);
  });

  it("JuteWriter.writeBuffer() refuses anything but a Uint8Array", () => {
    const values = [123, [1, 2, 300], new Uint16Array(2), new ArrayBuffer(2), "ab", {}];
    for (const value of values) {
      assert.throws(() => new JuteWriter(4).writeBuffer(value as Any), RangeError);
    }
  });

  it("JuteWriter.writeString() and writeVector() refuse the wrong types", () => {
    assert.throws(() => new JuteWriter().writeString(5 as Any), RangeError);
    assert.throws(() => new JuteWriter().writeVector({ length: 1 } as Any, () => {}), RangeError);
  });

  it("JuteWriter.writeLong() refuses a bigint outside 64 bits instead of wrapping it", () => {
    assert.throws(() => new JuteWriter().writeLong(2n ** 63n), RangeError);
    assert.throws(() => new JuteWriter().writeLong(-(2n ** 63n) - 1n), RangeError);
  });
});

describe("Requests that cannot be encoded", () => {
  const bad = {
    opcode: OpCode.setData,
    verb: "write",
    path: "/a",
    encode: (w: JuteWriter) =>
      writeSetDataRequest(w, { path: "/a", data: 123 as Any, version: -1 }),
  };

  it("encodeRequest() throws rather than return a frame without its body", () => {
    assert.throws(() => encodeRequest(bad), RangeError);
  });

  it("Session.submit() rejects it with BADARGUMENTS and the next reply reaches the next call", async () => {
    const { session, transport } = await connected();
    await assert.rejects(session.submit(bad), (e: unknown) => ZooKeeperError.is(e, "BADARGUMENTS"));
    const next = sync(session, "/b");
    await flush();
    const sent = transport.last.frames.slice(1).map(header);
    assert.deepEqual(sent, [{ xid: 1, type: OpCode.sync }]);
    reply(transport.last, 1, 5n, 0, (w) => writePathRequest(w, { path: "/b" }));
    assert.deepEqual(await next, { path: "/b" });
  });
});

describe("RequestQueue", () => {
  it("RequestQueue.hold() sheds requests whose caller gave up while held", () => {
    const queue = new RequestQueue();
    const held = (settled: boolean): PendingRequest => ({
      xid: queue.nextXid(),
      frame: new Uint8Array(0),
      verb: "sync",
      path: "/a",
      decode: undefined,
      onReply: undefined,
      nullOn: undefined,
      resolve: () => {},
      reject: () => {},
      settled,
    });
    queue.hold(held(false));
    for (let i = 0; i < 10_000; i++) queue.hold(held(true));
    assert.ok(queue.held < 200, `held: ${queue.held}`);
    assert.deepEqual(queue.takeOffline().map((r) => r.xid), [1]);
  });
});
