import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { isTransient, retry, ZooKeeperError } from "../mod.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { idle, runNextTimer, track } from "./helpers/timing.ts";

const loss = () => new ZooKeeperError("CONNECTIONLOSS", "Cannot read: connection lost");

describe("retry()", () => {
  it("retry() returns the first success after transient failures", async () => {
    let calls = 0;
    const value = await retry((attempt) => {
      calls++;
      return attempt < 3 ? Promise.reject(loss()) : Promise.resolve("ok");
    }, { initialDelay: 1 });
    assert.equal(value, "ok");
    assert.equal(calls, 3);
  });

  it("retry() gives up after the number of attempts with the last error", async () => {
    let calls = 0;
    await assert.rejects(
      retry(() => {
        calls++;
        return Promise.reject(loss());
      }, { attempts: 4, initialDelay: 1 }),
      (e: unknown) => e instanceof ZooKeeperError && e.code === "CONNECTIONLOSS",
    );
    assert.equal(calls, 4);
  });

  it("retry() does not retry errors that are not transient", async () => {
    let calls = 0;
    await assert.rejects(
      retry(() => {
        calls++;
        return Promise.reject(new ZooKeeperError("NONODE", "Cannot read: node does not exist"));
      }, { initialDelay: 1 }),
      (e: unknown) => e instanceof ZooKeeperError && e.code === "NONODE",
    );
    assert.equal(calls, 1);
  });

  it("retry() stops at the deadline with attempts to spare", async () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const random = Math.random;
    // Full jitter at half the 20 ms ceiling: a wait of 10 ms each time.
    Math.random = () => 0.5;
    try {
      const run = track(retry(() => {
        times.push(clock.now());
        return Promise.reject(loss());
      }, { attempts: 1000, initialDelay: 20, maxDelay: 20, deadline: 150, clock }));
      while (run.state === "pending") {
        await Promise.race([runNextTimer(clock), run.done]);
        await idle();
      }
      assert.ok(ZooKeeperError.is(run.error, "CONNECTIONLOSS"), String(run.error));
    } finally {
      Math.random = random;
    }
    assert.deepEqual(times, Array.from({ length: 16 }, (_, i) => i * 10), "the last at 150 ms");
    assert.equal(clock.pending, 0);
  });

  it("retry() rejects with the signal's reason when aborted while waiting", async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const reason = new Error("stop");
    let calls = 0;
    const run = track(retry(() => {
      calls++;
      return Promise.reject(loss());
    }, {
      initialDelay: 60_000,
      maxDelay: 60_000,
      signal: controller.signal,
      retryOn: () => true,
      clock,
    }));
    await clock.whenPending();
    assert.equal(run.state, "pending", "waiting out the backoff");
    controller.abort(reason);
    await run.done;
    assert.equal(run.error, reason);
    assert.equal(calls, 1);
    assert.equal(clock.pending, 0, "the backoff's timer is cleared");
  });

  it("isTransient() names connection loss, timeouts and moved sessions", () => {
    for (const code of ["CONNECTIONLOSS", "OPERATIONTIMEOUT", "SESSIONMOVED"] as const) {
      assert.equal(isTransient(new ZooKeeperError(code, "x")), true);
    }
    for (const code of ["SESSIONEXPIRED", "NONODE", "CLOSED"] as const) {
      assert.equal(isTransient(new ZooKeeperError(code, "x")), false);
    }
    assert.equal(isTransient(new Error("x")), false);
  });
});
