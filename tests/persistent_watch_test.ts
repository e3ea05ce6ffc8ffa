import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { type ConnectionState, ZooKeeper, ZooKeeperError } from "../mod.ts";
import { Events } from "./helpers/events.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { settle, within } from "./helpers/wait.ts";

describe("Persistent watches on a real server", () => {
  const fx = useZooKeeper();
  let zk: ZooKeeper;
  let writer: ZooKeeper;

  before(async () => {
    zk = await fx.connect();
    writer = await fx.connect();
  });

  it("addWatch() persistent fires for every change of the node and stays", async () => {
    const c = new Events();
    await zk.addWatch("/pw", "persistent", c.watch);
    await writer.create("/pw", "1");
    await writer.setData("/pw", "2");
    await writer.setData("/pw", "3");
    await writer.create("/pw/child");
    await writer.delete("/pw/child");
    await writer.setData("/pw/", "x").catch(() => {});
    assert.deepEqual(await c.waitFor(5), [
      "NodeCreated /pw",
      "NodeDataChanged /pw",
      "NodeDataChanged /pw",
      "NodeChildrenChanged /pw",
      "NodeChildrenChanged /pw",
    ]);
    await zk.removeWatches("/pw", c.watch, "persistent");
  });

  it("addWatch() persistentRecursive fires for every node below, but not for child lists", async () => {
    const c = new Events();
    await writer.create("/rw");
    await zk.addWatch("/rw", "persistentRecursive", c.watch);
    await writer.create("/rw/a");
    await writer.create("/rw/a/b", "1");
    await writer.setData("/rw/a/b", "2");
    await writer.delete("/rw/a/b");
    await writer.setData("/rw", "top");
    await writer.create("/rw-sibling");
    assert.deepEqual(await c.waitFor(5), [
      "NodeCreated /rw/a",
      "NodeCreated /rw/a/b",
      "NodeDataChanged /rw/a/b",
      "NodeDeleted /rw/a/b",
      "NodeDataChanged /rw",
    ]);
    await settle(zk);
    assert.equal(c.list.length, 5);
    await zk.removeAllWatches("/rw", "persistentRecursive");
  });

  it("removeWatches() stops the events and sends the watcher a removal event", async () => {
    const c = new Events();
    await writer.create("/rm", "1");
    await zk.addWatch("/rm", "persistent", c.watch);
    await writer.setData("/rm", "2");
    await c.waitFor(1);
    await zk.removeWatches("/rm", c.watch, "persistent");
    await writer.setData("/rm", "3");
    await settle(zk);
    assert.deepEqual(c.list, ["NodeDataChanged /rm", "PersistentWatchRemoved /rm"]);
  });

  for (const kind of ["persistentRecursive", "data"] as const) {
    it(`removeWatches() leaves the server a ${kind} watch whose request was sent before it`, async () => {
      const path = `/race-${kind}`;
      const old = new Events();
      const added = new Events();
      await writer.create(path, "1");
      const watch = (watcher: typeof old.watch) =>
        kind === "data"
          ? zk.getData(path, { watch: watcher })
          : zk.addWatch(path, "persistentRecursive", watcher);
      await watch(old.watch);
      // The second watcher's request is on the wire before the removal of the
      // first, and registered here only once answered.
      const adding = watch(added.watch);
      await zk.removeWatches(path, old.watch, kind === "data" ? "data" : "any");
      await adding;
      await writer.setData(path, "2");
      await settle(zk);
      assert.deepEqual(added.list, [`NodeDataChanged ${path}`]);
      assert.deepEqual(old.list, [
        `${kind === "data" ? "DataWatchRemoved" : "PersistentWatchRemoved"} ${path}`,
      ]);
      if (kind !== "data") await zk.removeWatches(path, added.watch, "any");
    });
  }

  it("removeWatches() removes one-shot data and child watches", async () => {
    const c = new Events();
    await writer.create("/rm2", "1");
    await zk.getData("/rm2", { watch: c.watch });
    await zk.getChildren("/rm2", { watch: c.watch });
    await zk.removeWatches("/rm2", c.watch, "data");
    await writer.setData("/rm2", "2");
    await writer.create("/rm2/c");
    await c.waitFor(2);
    await settle(zk);
    assert.deepEqual(c.list, ["DataWatchRemoved /rm2", "NodeChildrenChanged /rm2"]);
  });

  it("removeAllWatches() removes every watcher of the type", async () => {
    const a = new Events();
    const b = new Events();
    await writer.create("/rma", "1");
    await zk.getData("/rma", { watch: a.watch });
    await zk.getData("/rma", { watch: b.watch });
    await zk.removeAllWatches("/rma", "data");
    await writer.setData("/rma", "2");
    await settle(zk);
    assert.deepEqual(a.list, ["DataWatchRemoved /rma"]);
    assert.deepEqual(b.list, ["DataWatchRemoved /rma"]);
  });

  it("removeWatches() of a watcher that is not set fails with NOWATCHER", async () => {
    await assert.rejects(
      zk.removeWatches("/nowatch", () => {}, "any"),
      (e: unknown) => e instanceof ZooKeeperError && e.code === "NOWATCHER",
    );
  });

  it("removeWatches() with local only forgets the watch without asking the server", async () => {
    const c = new Events();
    await writer.create("/local", "1");
    await zk.getData("/local", { watch: c.watch });
    await zk.removeWatches("/local", c.watch, "data", { local: true });
    await writer.setData("/local", "2");
    await settle(zk);
    assert.deepEqual(c.list, ["DataWatchRemoved /local"]);
  });

  it("watch() yields events as an async iterator and ends on break", async () => {
    await writer.create("/it", "0");
    const seen: string[] = [];
    const loop = (async () => {
      for await (const e of zk.watch("/it")) {
        if (e.type === "reconnected") continue;
        seen.push(`${e.type} ${e.path}`);
        if (seen.length === 3) break;
      }
    })();
    // The loop's addWatch went out before this barrier's requests: the
    // watch is in place on the server when it resolves.
    await settle(zk);
    for (let i = 1; i <= 3; i++) await writer.setData("/it", String(i));
    await within(loop, `three events (got ${JSON.stringify(seen)})`);
    assert.deepEqual(seen, Array(3).fill("NodeDataChanged /it"));
    await settle(zk);
    // The watch was removed from the server when the loop broke.
    await assert.rejects(
      zk.removeWatches("/it", () => {}, "persistent"),
      (e: unknown) => e instanceof ZooKeeperError && e.code === "NOWATCHER",
    );
  });

  it("watch() recursive ends when its signal aborts", async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const e of zk.watch("/tree", { recursive: true, signal: controller.signal })) {
        if (e.type === "reconnected") continue;
        seen.push(`${e.type} ${e.path}`);
        if (e.path === "/tree/b") controller.abort();
      }
    })();
    await settle(zk);
    await writer.create("/tree");
    await writer.create("/tree/a");
    await writer.create("/tree/b");
    await within(loop, `the event of /tree/b (got ${JSON.stringify(seen)})`);
    assert.deepEqual(seen, ["NodeCreated /tree", "NodeCreated /tree/a", "NodeCreated /tree/b"]);
  });

  it("watch() ends when the client closes", async () => {
    const local = await ZooKeeper.connect(fx.server.connectString);
    const seen: string[] = [];
    const loop = (async () => {
      for await (const e of local.watch("/closing")) seen.push(e.type);
    })();
    await settle(local);
    await writer.create("/closing");
    await settle(local);
    await local.close();
    await within(loop, "the end of the loop");
    assert.deepEqual(seen, ["NodeCreated"]);
  });

  it("states() yields each state change and ends after close", async () => {
    const local = await ZooKeeper.connect(fx.server.connectString);
    const states: ConnectionState["type"][] = [];
    const loop = (async () => {
      for await (const s of local.states()) states.push(s.type);
    })();
    await local.close();
    await within(loop, "the end of states()");
    assert.deepEqual(states, ["closed"]);
  });
});
