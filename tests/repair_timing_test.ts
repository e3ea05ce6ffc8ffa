/**
 * Repair's backoff on a fake clock, at exact times: after someone else writes
 * a registered node, the registry writes it back after 200 ms, then 400 ms,
 * then 800 ms, and gives up at the fourth foreign write within a minute; and
 * the `created` time a registration writes. The client is a fake holding one
 * node.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import type { ZooKeeper } from "../mod.ts";
import type { Watcher } from "../src/client/watch_registry.ts";
import { ZooKeeperError } from "../src/protocol/errors.ts";
import { Registrations } from "../src/registry/registrations.ts";
import { NodeKeeper } from "../src/registry/repair.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { idle, runNextTimer } from "./helpers/timing.ts";

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
    /** The node's data as text. */
    text: () => new TextDecoder().decode(node?.data),
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
      await idle();
      assert.equal(node.writes.length, before, `no rewrite ${wait - 1} ms after the change`);
      clock.advance(1);
      await written;
      assert.equal(node.writes.at(-1), start + wait);
    }
    assert.deepEqual(node.writes, [200, 600, 1400]);
    node.foreignWrite("theirs");
    await idle();
    assert.equal(clock.pending, 0, "no fourth wait");
    assert.deepEqual(states, ["registered", "conflict"]);
    assert.equal(errors.length, 1);
    assert.ok(ZooKeeperError.is(errors[0], "BADVERSION"));
    assert.match((errors[0] as Error).message, /changed by someone else 4 times/);
  });

  it("a registration given up in conflict is still deleted by remove()", async () => {
    const clock = new FakeClock();
    const node = fakeNode(clock);
    const states: string[] = [];
    const k = keeper(clock, node.zk, [], states);
    await k.want(encoder.encode("ours"), true, true, false);
    for (const wait of [200, 400, 800]) {
      const written = node.nextWrite();
      node.foreignWrite("theirs");
      await clock.whenPending();
      clock.advance(wait);
      await written;
    }
    node.foreignWrite("theirs");
    await idle();
    assert.equal(states.at(-1), "conflict");
    assert.equal(await k.remove(), true);
    assert.equal(node.text(), "");
    assert.equal(states.at(-1), "removed");
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

describe("times written as data come from the clock's wall time", () => {
  const WALL = Date.UTC(2026, 0, 1);

  it("a registration's `created` is the clock's wall time", async () => {
    const clock = new FakeClock({ wallStart: WALL });
    const node = fakeNode(clock);
    const registrations = new Registrations({
      client: () => node.zk,
      gate: () => Promise.resolve(),
      onError: (e) => assert.fail(String(e)),
      clock,
    });
    clock.advance(65_000);
    await registrations.set("/a", { port: 22 }, {});
    assert.equal(JSON.parse(node.text()).created, "2026-01-01 00:01:05");
  });
});
