/**
 * A lock's wait on the client's clock: `wait` is a deadline in fake
 * milliseconds. The client is a fake that holds one other contender ahead.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import type { ZooKeeper } from "../mod.ts";
import type { Watcher } from "../src/client/watch_registry.ts";
import { Lock } from "../src/registry/lock.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { idle, track } from "./helpers/timing.ts";

const STAT = { version: 0, ephemeralOwner: 1n };

/** A client with the lock's node, one contender ahead of us, and a log of calls. */
function fakeClient(clock: FakeClock) {
  const children = ["_c_other-lock-0000000000"];
  const watches = new Map<string, Watcher>();
  const calls: string[] = [];
  const zk = {
    clock,
    exists: (path: string, options: { watch?: Watcher } = {}) => {
      const name = path.slice(path.lastIndexOf("/") + 1);
      const there = path === "/lock" || children.includes(name);
      if (options.watch) watches.set(path, options.watch);
      return Promise.resolve(there ? STAT : null);
    },
    create: (prefix: string) => {
      const name = prefix.slice(prefix.lastIndexOf("/") + 1) + "0000000001";
      children.push(name);
      calls.push(`create ${name.startsWith("_c_") ? "ours" : name} at ${clock.now()}`);
      return Promise.resolve(`/lock/${name}`);
    },
    getChildren: () => Promise.resolve([...children]),
    delete: (path: string) => {
      const name = path.slice(path.lastIndexOf("/") + 1);
      children.splice(children.indexOf(name), 1);
      calls.push(`delete ${name.startsWith("_c_other") ? "other" : "ours"} at ${clock.now()}`);
      return Promise.resolve();
    },
    removeWatches: (path: string) => {
      watches.delete(path);
      return Promise.resolve();
    },
    onStateChange: () => () => {},
  };
  /** The contender ahead releases: its node goes and its watcher fires. */
  const releaseOther = async () => {
    const path = `/lock/${children[0]}`;
    await zk.delete(path);
    watches.get(path)?.({ type: "NodeDeleted", state: "SyncConnected", path });
  };
  return { zk: zk as unknown as ZooKeeper, calls, releaseOther };
}

describe("Lock waits on the client's clock", () => {
  it("acquire() with wait: 1000 gives up at exactly 1000 ms and deletes its node", async () => {
    const clock = new FakeClock();
    const { zk, calls } = fakeClient(clock);
    const acquiring = track(new Lock(zk, "/lock", { name: "me", wait: 1000 }).acquire());
    await clock.whenPending();
    assert.equal(clock.nextAt, 1000);
    clock.advance(999);
    await idle();
    assert.equal(acquiring.state, "pending", "still waiting at 999 ms");
    clock.advance(1);
    await acquiring.done;
    assert.equal(acquiring.value, false);
    assert.deepEqual(calls, ["create ours at 0", "delete ours at 1000"]);
    assert.equal(clock.pending, 0);
  });

  it("acquire() gets the lock when the contender ahead releases before the deadline, and leaves no timer", async () => {
    const clock = new FakeClock();
    const { zk, calls, releaseOther } = fakeClient(clock);
    const lock = new Lock(zk, "/lock", { name: "me", wait: 1000 });
    const acquiring = track(lock.acquire());
    await clock.whenPending();
    clock.advance(400);
    await releaseOther();
    await acquiring.done;
    assert.equal(acquiring.value, true);
    assert.equal(lock.held, true);
    assert.deepEqual(calls, ["create ours at 0", "delete other at 400"]);
    assert.equal(clock.pending, 0, "the deadline's timer is cleared");
  });

  it("acquire() with wait: 0 tries once and sets no timer", async () => {
    const clock = new FakeClock();
    const { zk, calls } = fakeClient(clock);
    assert.equal(await new Lock(zk, "/lock", { name: "me", wait: 0 }).acquire(), false);
    assert.deepEqual(calls, ["create ours at 0", "delete ours at 0"]);
    assert.equal(clock.pending, 0);
  });
});
