/**
 * The client's clock: `ZooKeeper.connect` takes one, exposes it as
 * `zk.clock`, and times the wait for the first session on it.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ZooKeeper } from "../mod.ts";
import { ZooKeeperError } from "../src/protocol/errors.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { FakeTransport, flush } from "./helpers/fake_transport.ts";
import { accept, header } from "./helpers/fake_session.ts";

describe("the client's clock", () => {
  it("ZooKeeper.connect() gives up at exactly connectTimeout on the given clock", async () => {
    const clock = new FakeClock();
    const transport = new FakeTransport();
    let settled: unknown = "pending";
    ZooKeeper.connect("127.0.0.1:2181", {
      transport,
      clock,
      connectTimeout: 5000,
      sessionTimeout: 30_000,
    }).then((zk) => settled = zk, (error) => settled = error);
    // The handshake is sent and never answered.
    await clock.whenPending(2);
    assert.equal(transport.sockets.length, 1);
    clock.advance(4999);
    await flush();
    assert.equal(settled, "pending", "still waiting 1 ms before the timeout");
    clock.advance(1);
    await flush();
    assert.notEqual(settled, "pending", "rejected at 5000 ms");
    assert.ok(ZooKeeperError.is(settled, "CONNECTIONLOSS"), String(settled));
    assert.match((settled as Error).message, /no server answered within 5000 ms/);
    assert.equal(clock.now(), 5000);
    assert.equal(transport.last.closed, true);
  });

  it("zk.clock is the clock given to connect, and the session's pings run on it", async () => {
    const clock = new FakeClock();
    const transport = new FakeTransport();
    const connecting = ZooKeeper.connect("127.0.0.1:2181", { transport, clock });
    await clock.whenPending();
    accept(transport.last, 9000);
    const zk = await connecting;
    assert.equal(zk.clock, clock);
    // A 9 s session reads for 6 s and pings after 3 s of silence.
    const socket = transport.last;
    assert.equal(socket.frames.length, 1, "the handshake only");
    clock.advance(2999);
    await flush(); // writes go out in a batch after the current task
    assert.equal(socket.frames.length, 1, "no ping at 2999 ms");
    clock.advance(1);
    await flush();
    assert.equal(socket.frames.length, 2, "a ping at 3000 ms");
    assert.equal(header(socket.frames[1]).xid, -2);
    const closing = zk.close();
    clock.advance(6000); // closeSession is never answered: the read timeout ends the wait
    await closing;
    assert.equal(zk.state.type, "closed");
  });
});
