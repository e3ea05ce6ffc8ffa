import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { isTransient, retry, ZooKeeperError } from "../mod.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { track } from "./helpers/timing.ts";

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
