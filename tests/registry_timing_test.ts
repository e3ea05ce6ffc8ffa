/**
 * The registry's timing rules on a fake clock, at exact times: health checks,
 * rate limiting, the reconnection backoff, discovery's down-instance policy,
 * drain's grace, and the wall time written as data. Each part is driven by
 * fakes of what it talks to. Repair's backoff is in repair_timing_test.ts.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { Registry } from "../mod.ts";
import { ZooKeeperError } from "../src/protocol/errors.ts";
import { ServiceDiscovery } from "../src/registry/discovery.ts";
import type { ServiceInstance } from "../src/registry/service_instance.ts";
import { ServiceProvider } from "../src/registry/service_provider.ts";
import { HealthMonitor } from "../src/registry/health.ts";
import { RateLimiter } from "../src/registry/rate_limiter.ts";
import { Supervisor } from "../src/registry/supervisor.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { FakeTransport } from "./helpers/fake_transport.ts";
import { idle, runNextTimer, track } from "./helpers/timing.ts";

describe("health checks", () => {
  /** A check that answers from a script and records when it ran. */
  function scripted(clock: FakeClock, answers: (boolean | "hang")[]) {
    const runs: number[] = [];
    let onRun = () => {};
    const check = () => {
      runs.push(clock.now());
      onRun();
      const answer = answers.shift() ?? true;
      return answer === "hang" ? new Promise<boolean>(() => {}) : Promise.resolve(answer);
    };
    return { check, runs, nextRun: () => new Promise<void>((r) => onRun = r) };
  }

  it("checks every interval, and is out after 3 failures and back after 2 passes", async () => {
    const clock = new FakeClock();
    const { check, runs } = scripted(clock, [true, false, false, false, true, true]);
    const changes: string[] = [];
    const monitor = new HealthMonitor(
      { check, interval: 1000 },
      (healthy) => changes.push(`${healthy ? "in" : "out"} at ${clock.now()}`),
      clock,
    );
    assert.equal(await monitor.start(), true);
    for (let i = 0; i < 5; i++) {
      await runNextTimer(clock);
      await idle();
      if (i === 1) assert.deepEqual(changes, [], "two failures are not enough");
    }
    assert.deepEqual(runs, [0, 1000, 2000, 3000, 4000, 5000]);
    assert.deepEqual(changes, ["out at 3000", "in at 5000"]);
    monitor.stop();
    assert.equal(clock.pending, 0);
  });

  it("a check that outlives its timeout fails then, and the next starts an interval later", async () => {
    const clock = new FakeClock();
    const { check, runs } = scripted(clock, [true, "hang", "hang", "hang"]);
    const changes: number[] = [];
    const monitor = new HealthMonitor(
      { check, interval: 1000, timeout: 300, fall: 3 },
      () => changes.push(clock.now()),
      clock,
    );
    await monitor.start();
    const fired: number[] = [];
    while (changes.length === 0) {
      fired.push(await runNextTimer(clock));
      await idle();
    }
    // Sleep 1000, check hangs until its 300 ms timeout, three times over.
    assert.deepEqual(runs, [0, 1000, 2300, 3600]);
    assert.deepEqual(fired, [1000, 1300, 2300, 2600, 3600, 3900]);
    assert.deepEqual(changes, [3900]);
    monitor.stop();
  });

  it("the timeout defaults to the interval, at most 5000 ms", async () => {
    const clock = new FakeClock();
    const { check } = scripted(clock, ["hang"]);
    const first = track(new HealthMonitor({ check, interval: 8000 }, () => {}, clock).start());
    await clock.whenPending();
    assert.equal(clock.nextAt, 5000);
    clock.advance(5000);
    await first.done;
    assert.equal(first.value, false);
  });
});

describe("the rate limiter", () => {
  it("lets a burst of `calls` through at once, then one call per period / calls", async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ calls: 2, period: 1000 }, clock);
    const passed: number[] = [];
    const takes = Array.from(
      { length: 5 },
      () => limiter.take().then(() => passed.push(clock.now())),
    );
    await idle();
    assert.deepEqual(passed, [0, 0]);
    for (const at of [500, 1000, 1500]) {
      assert.equal(await runNextTimer(clock), at);
      await idle();
    }
    await Promise.all(takes);
    assert.deepEqual(passed, [0, 0, 500, 1000, 1500]);
    assert.equal(clock.pending, 0);
  });

  it("refills while idle, up to a full burst", async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ calls: 2, period: 1000 }, clock);
    await limiter.take();
    await limiter.take();
    clock.advance(10_000);
    const passed: number[] = [];
    const takes = [1, 2, 3].map(() => limiter.take().then(() => passed.push(clock.now())));
    await idle();
    assert.deepEqual(passed, [10_000, 10_000], "two tokens, not twenty");
    assert.equal(await runNextTimer(clock), 10_500);
    await Promise.all(takes);
    assert.deepEqual(passed, [10_000, 10_000, 10_500]);
  });
});

describe("the connection supervisor", () => {
  it("tries again after 250 ms, doubling to at most 5000 ms", async () => {
    const clock = new FakeClock();
    const attempts: number[] = [];
    const supervisor = new Supervisor(
      () => {
        attempts.push(clock.now());
        return Promise.reject(new ZooKeeperError("CONNECTIONLOSS", "Cannot connect: refused"));
      },
      { attached: () => {}, reconnected: () => {}, detached: () => {} },
      () => {},
      clock,
    );
    supervisor.startInBackground();
    while (attempts.length < 8) {
      await runNextTimer(clock);
      await idle();
    }
    // Waits of 250, 500, 1000, 2000, 4000, 5000, 5000.
    assert.deepEqual(attempts, [0, 250, 750, 1750, 3750, 7750, 12_750, 17_750]);
    await supervisor.stop(true);
    clock.advance(5000);
    await idle();
    assert.equal(attempts.length, 8, "no attempt after stop");
    assert.equal(clock.pending, 0);
  });
});

describe("discovery's down-instance policy", () => {
  const instance = (id: string): ServiceInstance => ({
    name: "web",
    id,
    address: "10.0.0.1",
    registrationTimeUTC: 0,
    serviceType: "DYNAMIC",
  });
  const ids = async (provider: ServiceProvider) =>
    (await provider.getAllInstances()).map((i) => i.id);

  it("leaves an instance out for `timeout` ms after `errorThreshold` errors within it", async () => {
    const clock = new FakeClock();
    const a = instance("a");
    const provider = new ServiceProvider(() => Promise.resolve([a, instance("b")]), {
      downInstancePolicy: { timeout: 1000, errorThreshold: 2 },
      clock,
    });
    provider.noteError(a);
    clock.advance(999);
    assert.deepEqual(await ids(provider), ["a", "b"], "one error is not enough");
    provider.noteError(a);
    assert.deepEqual(await ids(provider), ["b"], "out at 999 ms");
    clock.advance(999);
    assert.deepEqual(await ids(provider), ["b"], "still out at 1998 ms");
    clock.advance(1);
    assert.deepEqual(await ids(provider), ["a", "b"], "back at 1999 ms");
  });

  it("forgets errors older than `timeout`", async () => {
    const clock = new FakeClock();
    const a = instance("a");
    const provider = new ServiceProvider(() => Promise.resolve([a]), {
      downInstancePolicy: { timeout: 1000, errorThreshold: 2 },
      clock,
    });
    provider.noteError(a);
    clock.advance(1000);
    provider.noteError(a);
    assert.deepEqual(await ids(provider), ["a"], "the first error is 1000 ms old");
    clock.advance(999);
    provider.noteError(a);
    assert.deepEqual(await ids(provider), [], "two errors within 1000 ms");
  });
});

describe("drain", () => {
  it("drain() waits exactly `grace` ms, then closes the registry", async () => {
    const clock = new FakeClock();
    // No server ever answers: the registry keeps trying in the background.
    const registry = await Registry.connect({
      servers: "127.0.0.1:2181",
      lazy: true,
      transport: new FakeTransport(),
      clock,
    });
    assert.equal(registry.clock, clock);
    const states: string[] = [];
    registry.onStateChange((state) => states.push(`${state.type} at ${clock.now()}`));
    await idle();
    const before = clock.pending;
    const draining = track(registry.drain({ grace: 1000 }));
    await clock.whenPending(before + 1);
    assert.equal(clock.nextAt, 1000, "the grace is the earliest timer");
    clock.advance(999);
    await idle();
    assert.equal(draining.state, "pending");
    assert.deepEqual(states, []);
    clock.advance(1);
    await draining.done;
    assert.equal(draining.state, "fulfilled");
    assert.deepEqual(states, ["closed at 1000"]);
  });
});

describe("discovery's wall time", () => {
  const WALL = Date.UTC(2026, 0, 1);

  it("a discovery instance's registrationTimeUTC is the registry's wall time", async () => {
    const clock = new FakeClock({ wallStart: WALL });
    const written: Record<string, unknown>[] = [];
    const registry = {
      clock,
      setNode: (_path: string, data: Record<string, unknown>) => {
        written.push(data);
        return Promise.resolve();
      },
    };
    clock.advance(1234);
    const discovery = new ServiceDiscovery(registry as unknown as Registry);
    const instance = await discovery.register("web", { id: "a", address: "10.0.0.1" });
    assert.equal(instance.registrationTimeUTC, WALL + 1234);
    assert.equal(written[0].registrationTimeUTC, WALL + 1234);
  });
});
