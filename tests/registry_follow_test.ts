/**
 * How long a path stays followed: lookups without a callback for `followFor`
 * on the registry's clock, a missing path not at all, and nothing removed one
 * by one when the registry closes; `read()` follows nothing.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { Registry } from "../mod.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { requestCounter } from "./helpers/request_counter.ts";
import { eventually } from "./helpers/wait.ts";

const READS = ["getData", "getChildren", "getChildren2", "exists", "addWatch"];

describe("Registry followed paths", () => {
  const fx = useZooKeeper();

  it("a path looked up without a callback is released once nobody asked for it in followFor", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    await admin.create("/svc", "1");
    const clock = new FakeClock();
    const counter = await requestCounter();
    await using registry = await Registry.connect({
      servers: root.connectString,
      clock,
      transport: counter.transport,
      followFor: 10_000,
    });
    const zk = registry.client!;
    // Time moves in steps, each with a round trip, so that the session's
    // own timers see a live server.
    const pass = async (ms: number) => {
      for (let left = ms; left > 0; left -= 2000) {
        clock.advance(Math.min(2000, left));
        await counter.settle(zk);
      }
    };
    await registry.get("/svc");
    await pass(6000);
    counter.reset();
    assert.equal((await registry.get("/svc")).data, 1, "asked again at 6 s");
    assert.equal(counter.total(...READS), 0, "answered from memory");
    await pass(9999);
    assert.equal(counter.total("removeWatches"), 0, "followed until 16 s");
    await pass(1);
    await eventually(() => counter.total("removeWatches") > 0, "the watch removed at 16 s");
    counter.reset();
    await registry.get("/svc");
    assert.ok(counter.total(...READS) > 0, "read again");
  });

  it("a followed path that is gone holds no watch once a lookup finds it missing", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    await admin.create("/svc", "1");
    const counter = await requestCounter();
    await using registry = await Registry.connect({
      servers: root.connectString,
      transport: counter.transport,
    });
    await registry.get("/svc");
    await admin.delete("/svc");
    await eventually(async () => (await registry.get("/svc")).stat === null, "the deletion seen");
    const zk = registry.client!;
    await counter.settle(zk);
    counter.reset();
    await admin.create("/svc", "2");
    await admin.setData("/svc", "3");
    await counter.settle(zk);
    assert.equal(counter.total(...READS), 0);
  });

  it("close() leaves the watches to the session's end instead of removing them one by one", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    await admin.create("/svc", "1");
    for (const name of ["a", "b", "c", "d"]) await admin.create(`/svc/${name}`, "{}");
    const counter = await requestCounter();
    const registry = await Registry.connect({
      servers: root.connectString,
      transport: counter.transport,
    });
    registry.onChange("/svc", () => {});
    await registry.get("/svc");
    counter.reset();
    await registry.close();
    assert.equal(counter.total("removeWatches"), 0);
    assert.equal(counter.total("closeSession"), 1);
  });

  it("read() answers without following: a change later costs nothing", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    await admin.create("/svc", "1");
    await admin.create("/svc/a", '{"port":1}');
    const counter = await requestCounter();
    await using registry = await Registry.connect({
      servers: root.connectString,
      transport: counter.transport,
    });
    const snapshot = await registry.read("/svc");
    assert.deepEqual({ ...snapshot.children }, { a: { port: 1 } });
    assert.equal(snapshot.stat?.numChildren, 1);
    assert.equal((await registry.read("/none")).stat, null);
    const zk = registry.client!;
    counter.reset();
    await admin.setData("/svc/a", "2");
    await admin.create("/svc/b");
    await counter.settle(zk);
    assert.equal(counter.total(...READS, "removeWatches"), 0);
  });
});
