/**
 * The client's clock: `ZooKeeper.connect` takes one, exposes it as
 * `zk.clock`, and times the wait for the first session on it.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import {
  type Clock,
  Registry,
  retry,
  type RetryOptions,
  ServiceProvider,
  ZooKeeper,
} from "../mod.ts";
import { serve } from "../src/http/mod.ts";
import { ZooKeeperError } from "../src/protocol/errors.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { FakeTransport, flush } from "./helpers/fake_transport.ts";
import { accept, header } from "./helpers/fake_session.ts";
import { idle, runNextTimer, track } from "./helpers/timing.ts";

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

describe("retry() on a fake clock", () => {
  const loss = () => new ZooKeeperError("CONNECTIONLOSS", "Cannot read: connection lost");

  /** Runs `retry` of work that always fails, with the jitter fixed at half the ceiling. */
  async function attemptTimes(options: RetryOptions): Promise<{ times: number[]; error: unknown }> {
    const clock = options.clock as FakeClock;
    const times: number[] = [];
    const random = Math.random;
    Math.random = () => 0.5;
    try {
      const run = track(retry(() => {
        times.push(clock.now());
        return Promise.reject(loss());
      }, options));
      while (run.state === "pending") {
        await Promise.race([runNextTimer(clock), run.done]);
        await idle();
      }
      return { times, error: run.error };
    } finally {
      Math.random = random;
    }
  }

  it("retry() backs off 100, 200, 400 ms ceilings with full jitter: attempts at 0, 50, 150, 350 ms", async () => {
    const clock = new FakeClock();
    const { times, error } = await attemptTimes({ clock, attempts: 4 });
    assert.deepEqual(times, [0, 50, 150, 350]);
    assert.ok(ZooKeeperError.is(error, "CONNECTIONLOSS"));
    assert.equal(clock.pending, 0);
  });

  it("retry() caps each wait at maxDelay", async () => {
    const clock = new FakeClock();
    const { times } = await attemptTimes({
      clock,
      attempts: 5,
      initialDelay: 1000,
      maxDelay: 1500,
    });
    // Ceilings 1000, 1500 (not 2000), 1500, 1500; half of each.
    assert.deepEqual(times, [0, 500, 1250, 2000, 2750]);
  });

  it("retry() makes its last attempt at the deadline and gives up there", async () => {
    const clock = new FakeClock();
    const { times, error } = await attemptTimes({ clock, attempts: 10, deadline: 120 });
    // Waits 50, then 100 cut to the 70 ms left.
    assert.deepEqual(times, [0, 50, 120]);
    assert.ok(ZooKeeperError.is(error, "CONNECTIONLOSS"));
  });
});

describe("a clock from plain JavaScript is checked where it is given", () => {
  const bad = [null, 5, {}, { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} }];

  it("ZooKeeper.connect() rejects a value that is not a Clock with a TypeError, before connecting", async () => {
    for (const clock of bad) {
      const transport = new FakeTransport();
      await assert.rejects(
        ZooKeeper.connect("127.0.0.1:2181", { transport, clock: clock as unknown as Clock }),
        (e: unknown) => e instanceof TypeError && /Invalid clock/.test(e.message),
      );
      assert.equal(transport.sockets.length, 0, "no connection was opened");
    }
  });

  it("Registry.connect(), serve(), retry() and a provider refuse it too", async () => {
    const clock = { now: () => 0 } as unknown as Clock;
    const isClockError = (e: unknown) =>
      e instanceof TypeError && /Invalid clock: .* \(wallNow is missing\)/.test(e.message);
    const transport = new FakeTransport();
    await assert.rejects(Registry.connect({ lazy: true, transport, clock }), isClockError);
    assert.equal(transport.sockets.length, 0);
    await assert.rejects(retry(() => Promise.resolve(1), { clock }), isClockError);
    assert.throws(() => new ServiceProvider(() => Promise.resolve([]), { clock }), isClockError);
    const registry = await Registry.connect({ lazy: true, transport, clock: new FakeClock() });
    assert.throws(() => serve(registry, { clock }), isClockError);
    await registry.close();
  });
});
