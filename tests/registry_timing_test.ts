/**
 * The registry's timing rules on a fake clock, at exact times: repair's
 * backoff after foreign writes, health checks, rate limiting, the
 * reconnection backoff, discovery's down-instance policy and drain's grace.
 * Each part is driven by fakes of what it talks to.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Registry, type ZooKeeper } from "../mod.ts";
import type { Watcher } from "../src/client/watches.ts";
import { ZooKeeperError } from "../src/protocol/errors.ts";
import { type ServiceInstance, ServiceProvider } from "../src/registry/discovery.ts";
import { HealthMonitor } from "../src/registry/health.ts";
import { RateLimiter } from "../src/registry/rate_limiter.ts";
import { NodeKeeper } from "../src/registry/repair.ts";
import { Supervisor } from "../src/registry/supervisor.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { FakeTransport } from "./helpers/fake_transport.ts";
import { drain, runNextTimer, track } from "./helpers/timing.ts";

const encoder = new TextEncoder();

/** One node on a fake client whose session is 0x5: the test writes it as someone else. */
function fakeNode(clock: FakeClock) {
  let node: { data: Uint8Array; version: number } | undefined;
  let watcher: Watcher | undefined;
  const writes: number[] = [];
  let onWrite = () => {};
  const stat = () => ({ version: node!.version, ephemeralOwner: 5n });
  const zk = {
    sessionId: 5n,
    connected: true,
    getData: (_path: string, options: { watch?: Watcher }) => {
      watcher = options.watch;
      if (node === undefined) return Promise.reject(ZooKeeperError.fromServer("NONODE", "read"));
      return Promise.resolve({ data: node.data, stat: stat() });
    },
    exists: (_path: string, options: { watch?: Watcher }) => {
      watcher = options.watch;
      return Promise.resolve(node === undefined ? null : stat());
    },
    create: (_path: string, data: Uint8Array) => {
      node = { data, version: 0 };
      return Promise.resolve("/a");
    },
    setData: (_path: string, data: Uint8Array) => {
      node = { data, version: node!.version + 1 };
      writes.push(clock.now());
      onWrite();
      return Promise.resolve(stat());
    },
    delete: () => {
      node = undefined;
      return Promise.resolve();
    },
    removeWatches: () => Promise.resolve(),
  };
  return {
    zk: zk as unknown as ZooKeeper,
    /** When the keeper wrote its data back. */
    writes,
    /** Resolves on the keeper's next write. */
    nextWrite: () => new Promise<void>((resolve) => onWrite = resolve),
    /** Someone else writes the node, and the keeper's watch fires. */
    foreignWrite: (text: string) => {
      node = { data: encoder.encode(text), version: node!.version + 1 };
      watcher?.({ type: "NodeDataChanged", state: "SyncConnected", path: "/a" });
    },
  };
}

function keeper(clock: FakeClock, zk: ZooKeeper, errors: unknown[], states: string[]) {
  return new NodeKeeper("/a", {
    client: () => zk,
    gate: () => Promise.resolve(),
    clock,
    acl: () => Promise.resolve([]),
    sessions: new Set(),
    onError: (error) => errors.push(error),
    onStatus: (status) => states.push(status.state),
  });
}

describe("repair backs off after foreign writes", () => {
  it("rewrites after 200 ms, then 400 ms, then 800 ms, and gives up at the fourth", async () => {
    const clock = new FakeClock();
    const node = fakeNode(clock);
    const errors: unknown[] = [];
    const states: string[] = [];
    await keeper(clock, node.zk, errors, states).want(encoder.encode("ours"), true, true, false);
    assert.deepEqual(states, ["registered"]);
    for (const wait of [200, 400, 800]) {
      const start = clock.now();
      const written = node.nextWrite();
      node.foreignWrite("theirs");
      await clock.whenPending();
      assert.equal(clock.nextAt, start + wait);
      const before = node.writes.length;
      clock.advance(wait - 1);
      await drain();
      assert.equal(node.writes.length, before, `no rewrite ${wait - 1} ms after the change`);
      clock.advance(1);
      await written;
      assert.equal(node.writes.at(-1), start + wait);
    }
    assert.deepEqual(node.writes, [200, 600, 1400]);
    node.foreignWrite("theirs");
    await drain();
    assert.equal(clock.pending, 0, "no fourth wait");
    assert.deepEqual(states, ["registered", "conflict"]);
    assert.equal(errors.length, 1);
    assert.ok(ZooKeeperError.is(errors[0], "BADVERSION"));
    assert.match((errors[0] as Error).message, /changed by someone else 4 times/);
  });

  it("starts again from 200 ms after a minute without foreign writes", async () => {
    const clock = new FakeClock();
    const node = fakeNode(clock);
    await keeper(clock, node.zk, [], []).want(encoder.encode("ours"), true, true, false);
    const first = node.nextWrite();
    node.foreignWrite("theirs");
    assert.equal(await runNextTimer(clock), 200);
    await first;
    clock.advance(60_001);
    const second = node.nextWrite();
    node.foreignWrite("theirs");
    await clock.whenPending();
    assert.equal(clock.nextAt! - clock.now(), 200);
    clock.advance(200);
    await second;
    assert.deepEqual(node.writes, [200, 60_401]);
  });
});

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
      await drain();
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
      await drain();
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
    await drain();
    assert.deepEqual(passed, [0, 0]);
    for (const at of [500, 1000, 1500]) {
      assert.equal(await runNextTimer(clock), at);
      await drain();
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
    await drain();
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
      await drain();
    }
    // Waits of 250, 500, 1000, 2000, 4000, 5000, 5000.
    assert.deepEqual(attempts, [0, 250, 750, 1750, 3750, 7750, 12_750, 17_750]);
    await supervisor.stop(true);
    clock.advance(5000);
    await drain();
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
    await drain();
    const before = clock.pending;
    const draining = track(registry.drain({ grace: 1000 }));
    await clock.whenPending(before + 1);
    assert.equal(clock.nextAt, 1000, "the grace is the earliest timer");
    clock.advance(999);
    await drain();
    assert.equal(draining.state, "pending");
    assert.deepEqual(states, []);
    clock.advance(1);
    await draining.done;
    assert.equal(draining.state, "fulfilled");
    assert.deepEqual(states, ["closed at 1000"]);
  });
});
