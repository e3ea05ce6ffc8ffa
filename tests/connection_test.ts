import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { JuteReader } from "../src/jute/reader.ts";
import { ZooKeeperError } from "../src/protocol/errors.ts";
import type { ConnectResponse } from "../src/protocol/records_session.ts";
import { Connection } from "../src/session/connection.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import type { Transport } from "../src/transport/transport.ts";
import { FakeTransport, flush } from "./helpers/fake_transport.ts";
import {
  readConnectRequest,
  readRequestHeader,
  writeConnectResponse,
  writeReplyHeader,
} from "./helpers/server_codec.ts";

function open(timeout = 1000) {
  const clock = new FakeClock();
  const transport = new FakeTransport();
  const seen = {
    established: [] as ConnectResponse[],
    frames: [] as JuteReader[],
    lost: [] as Error[],
  };
  const conn = new Connection({
    host: { host: "127.0.0.1", port: 1 },
    transport,
    tls: undefined,
    clock,
    maxFrameSize: 4096,
    timeout,
    handshake: {
      protocolVersion: 0,
      lastZxidSeen: 5n,
      timeOut: 9000,
      sessionId: 0n,
      passwd: new Uint8Array(16),
      readOnly: false,
    },
  }, {
    established: (r) => seen.established.push(r),
    frame: (r) => seen.frames.push(r),
    lost: (e) => seen.lost.push(e),
  });
  return { clock, transport, conn, seen };
}

const accepted = {
  protocolVersion: 0,
  timeOut: 6000,
  sessionId: 7n,
  passwd: new Uint8Array(16),
  readOnly: false,
};

describe("Connection", () => {
  it("sends the handshake first and reports the server's answer", async () => {
    const { transport, conn, seen } = open();
    await flush();
    assert.equal(readConnectRequest(new JuteReader(transport.last.frames[0])).lastZxidSeen, 5n);
    assert.equal(conn.established, false);
    transport.last.send((w) => writeConnectResponse(w, accepted));
    assert.equal(conn.established, true);
    assert.equal(seen.established[0].sessionId, 7n);
    transport.last.send((w) => writeReplyHeader(w, { xid: 1, zxid: 1n, err: 0 }));
    assert.equal(seen.frames.length, 1);
  });

  it("batches the writes of one turn into one socket write", async () => {
    const { transport, conn } = open();
    await flush();
    transport.last.send((w) => writeConnectResponse(w, accepted));
    const before = transport.last.raw.length;
    conn.startHeartbeat(6000);
    const frame = new Uint8Array([0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 11]);
    conn.write(frame);
    conn.write(frame);
    await flush();
    assert.equal(transport.last.raw.length, before + 1);
    assert.equal(readRequestHeader(new JuteReader(transport.last.frames.at(-1)!)).xid, 1);
    conn.close();
  });

  it("batches the writes of one turn on several connections, each into its own socket", async () => {
    const [a, b, c] = [open(), open(), open()];
    await flush();
    for (const { transport, conn } of [a, b, c]) {
      transport.last.send((w) => writeConnectResponse(w, accepted));
      conn.startHeartbeat(6000);
    }
    const before = [a, b, c].map(({ transport }) => transport.last.raw.length);
    const frame = (xid: number) => new Uint8Array([0, 0, 0, 8, 0, 0, 0, xid, 0, 0, 0, 11]);
    a.conn.write(frame(1));
    b.conn.write(frame(2));
    a.conn.write(frame(3));
    c.conn.write(frame(4));
    c.conn.close();
    await flush();
    const xids = (t: FakeTransport) =>
      t.last.frames.slice(1).map((f) => readRequestHeader(new JuteReader(f)).xid);
    assert.deepEqual([a, b, c].map(({ transport }) => transport.last.raw.length), [
      before[0] + 1,
      before[1] + 1,
      before[2],
    ]);
    assert.deepEqual([xids(a.transport), xids(b.transport), xids(c.transport)], [[1, 3], [2], []]);
    // A write after the flush is flushed in its own turn.
    b.conn.write(frame(5));
    await flush();
    assert.deepEqual(xids(b.transport), [2, 5]);
    a.conn.close();
    b.conn.close();
  });

  it("takes an answer to the handshake above the largest frame as a broken stream", async () => {
    const { transport, seen } = open();
    await flush();
    const big = new Uint8Array(4 + 5000);
    new DataView(big.buffer).setInt32(0, 5000);
    transport.last.sendRaw(big);
    assert.equal(seen.lost.length, 1);
    assert.ok(ZooKeeperError.is(seen.lost[0], "MARSHALLINGERROR"));
    assert.match(seen.lost[0].message, /Frame length 5000 is out of range/);
  });

  it("gives a transport handlers it may call detached or copy", async () => {
    const seen: Error[] = [];
    let data: ((chunk: Uint8Array) => void) | undefined;
    const transport: Transport = {
      connect(_options, handlers) {
        // A wrapper that copies the handlers and replaces one, and calls
        // the other taken off the object.
        const copy = { ...handlers, data: (chunk: Uint8Array) => handlers.data(chunk) };
        data = copy.data;
        const { closed } = copy;
        return Promise.resolve({ write: () => {}, close: () => closed() });
      },
    };
    const conn = new Connection({
      host: { host: "127.0.0.1", port: 1 },
      transport,
      tls: undefined,
      clock: new FakeClock(),
      maxFrameSize: 4096,
      timeout: 1000,
      handshake: {
        protocolVersion: 0,
        lastZxidSeen: 0n,
        timeOut: 9000,
        sessionId: 0n,
        passwd: new Uint8Array(16),
        readOnly: false,
      },
    }, { established: () => {}, frame: () => {}, lost: (e) => seen.push(e) });
    await flush();
    data!(new Uint8Array([0xff, 0xff, 0xff, 0xfe]));
    assert.equal(seen.length, 1);
    assert.ok(ZooKeeperError.is(seen[0], "MARSHALLINGERROR"));
    conn.close();
  });

  it("reports a refused session as lost with the server's code", async () => {
    const { transport, seen } = open();
    await flush();
    transport.last.send((w) => writeReplyHeader(w, { xid: 0, zxid: 0n, err: -124 }));
    assert.ok(ZooKeeperError.is(seen.lost[0], "SESSIONCLOSEDREQUIRESASLAUTH"));
  });

  it("reports a handshake that takes too long as lost, once, and nothing after close", async () => {
    const { clock, transport, conn, seen } = open(500);
    await flush();
    clock.advance(500);
    assert.match(seen.lost[0].message, /timed out after 500 ms/);
    transport.last.drop();
    conn.close();
    assert.equal(seen.lost.length, 1);
  });
});
