import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { Heartbeat } from "../src/session/heartbeat.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";

function setup(sessionTimeout = 9000) {
  const clock = new FakeClock();
  const log: string[] = [];
  let lastReceive = clock.now();
  const received = () => lastReceive = clock.now();
  const heartbeat = new Heartbeat(clock, {
    sendPing: () => {
      log.push(`ping@${clock.now()}`);
      heartbeat.sent();
    },
    timedOut: (ms) => log.push(`timeout(${ms})@${clock.now()}`),
    lastReceive: () => lastReceive,
  }, sessionTimeout);
  return { clock, log, heartbeat, received };
}

describe("Heartbeat", () => {
  it("reads time out after 2/3 of the session timeout and pings at half of that", () => {
    const { heartbeat } = setup(9000);
    assert.equal(heartbeat.readTimeout, 6000);
    assert.equal(heartbeat.pingInterval, 3000);
    heartbeat.stop();
  });

  it("pings when nothing was sent for the ping interval, and not while sends go on", () => {
    const { clock, log, heartbeat, received } = setup();
    for (let t = 0; t < 10; t++) {
      clock.advance(1000);
      heartbeat.sent();
      received();
    }
    assert.deepEqual(log, []);
    clock.advance(3000);
    assert.deepEqual(log, ["ping@13000"]);
    heartbeat.stop();
  });

  it("declares the connection dead when nothing arrives for the read timeout, pings or not", () => {
    const { clock, log } = setup();
    clock.advance(6000);
    assert.deepEqual(log, ["ping@3000", "timeout(6000)@6000"]);
    assert.equal(clock.pending, 0);
  });

  it("stays alive while bytes arrive", () => {
    const { clock, log, heartbeat, received } = setup();
    for (let t = 0; t < 20; t++) {
      clock.advance(2500);
      received();
    }
    // 50 s with bytes every 2.5 s: a ping every 3 s (nothing else is sent),
    // and never a timeout.
    const pings = Array.from({ length: 16 }, (_, i) => `ping@${3000 * (i + 1)}`);
    assert.deepEqual(log, pings);
    assert.ok(clock.pending > 0, "the heartbeat still runs");
    heartbeat.stop();
  });

  it("stop() leaves no timer behind", () => {
    const { clock, heartbeat, log } = setup();
    heartbeat.stop();
    assert.equal(clock.pending, 0);
    clock.advance(60_000);
    assert.deepEqual(log, []);
  });
});
