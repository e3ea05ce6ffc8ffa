import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { ZooKeeper } from "../mod.ts";
import { Events } from "./helpers/events.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually, settle } from "./helpers/wait.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("Watches on a real server", () => {
  const fx = useZooKeeper();
  let zk: ZooKeeper;
  let writer: ZooKeeper;

  before(async () => {
    zk = await fx.connect();
    writer = await fx.connect();
  });

  it("getData() watch fires NodeDataChanged once, then is gone", async () => {
    await writer.create("/d", "1");
    const events = new Events();
    await zk.getData("/d", { watch: events.watch });
    await writer.setData("/d", "2");
    assert.deepEqual(await events.waitFor(1), ["NodeDataChanged /d"]);
    await writer.setData("/d", "3");
    await settle(zk);
    assert.deepEqual(events.list, ["NodeDataChanged /d"]);
  });

  it("getData() watch fires NodeDeleted when the node goes", async () => {
    await writer.create("/dd", "1");
    const events = new Events();
    await zk.getData("/dd", { watch: events.watch });
    await writer.delete("/dd");
    assert.deepEqual(await events.waitFor(1), ["NodeDeleted /dd"]);
  });

  it("getData() on a missing node leaves no watch", async () => {
    const events = new Events();
    await assert.rejects(zk.getData("/not-yet", { watch: events.watch }));
    await writer.create("/not-yet");
    await writer.setData("/not-yet", "x");
    await settle(zk);
    assert.deepEqual(events.list, []);
  });

  it("exists() on a missing node watches for its creation", async () => {
    const events = new Events();
    assert.equal(await zk.exists("/born", { watch: events.watch }), null);
    await writer.create("/born");
    assert.deepEqual(await events.waitFor(1), ["NodeCreated /born"]);
  });

  it("exists() on an existing node watches its data and deletion", async () => {
    await writer.create("/ex", "1");
    const events = new Events();
    await zk.exists("/ex", { watch: events.watch });
    await writer.setData("/ex", "2");
    await events.waitFor(1);
    await zk.exists("/ex", { watch: events.watch });
    await writer.delete("/ex");
    assert.deepEqual(await events.waitFor(2), [
      "NodeDataChanged /ex",
      "NodeDeleted /ex",
    ]);
  });

  it("getChildren() watch fires NodeChildrenChanged on a new or removed child", async () => {
    await writer.create("/p");
    const events = new Events();
    await zk.getChildren("/p", { watch: events.watch });
    await writer.create("/p/c");
    await events.waitFor(1);
    await zk.getChildrenWithStat("/p", { watch: events.watch });
    await writer.delete("/p/c");
    await events.waitFor(2);
    // A child's data change is not a change of the list.
    await writer.create("/p/d");
    await events.waitFor(2);
    await zk.getChildren("/p", { watch: events.watch });
    await writer.setData("/p/d", "x");
    await settle(zk);
    assert.deepEqual(events.list, [
      "NodeChildrenChanged /p",
      "NodeChildrenChanged /p",
    ]);
  });

  it("getChildren() watch fires NodeDeleted when the parent goes", async () => {
    await writer.create("/gone");
    const events = new Events();
    await zk.getChildren("/gone", { watch: events.watch });
    await writer.delete("/gone");
    assert.deepEqual(await events.waitFor(1), ["NodeDeleted /gone"]);
  });

  it("one function set as data and exist watch on a path fires once per change", async () => {
    await writer.create("/once", "1");
    const events = new Events();
    await zk.getData("/once", { watch: events.watch });
    await zk.exists("/once", { watch: events.watch });
    await zk.getData("/once", { watch: events.watch });
    await writer.setData("/once", "2");
    await events.waitFor(1);
    await settle(zk);
    assert.deepEqual(events.list, ["NodeDataChanged /once"]);
  });

  it("different functions on the same path each fire", async () => {
    await writer.create("/two", "1");
    const a = new Events();
    const b = new Events();
    await zk.getData("/two", { watch: a.watch });
    await zk.getData("/two", { watch: b.watch });
    await writer.setData("/two", "2");
    assert.deepEqual(await a.waitFor(1), ["NodeDataChanged /two"]);
    assert.deepEqual(await b.waitFor(1), ["NodeDataChanged /two"]);
  });

  it("a watcher sees its event before a later read observes the new data", async () => {
    await writer.create("/order", "old");
    for (let round = 0; round < 20; round++) {
      const seen: string[] = [];
      await zk.getData("/order", { watch: () => seen.push("event") });
      const write = writer.setData("/order", `new-${round}`);
      // Read until the change is visible; the event must already be there.
      for (;;) {
        const { data } = await zk.getData("/order");
        if (text(data) === `new-${round}`) {
          assert.deepEqual(seen, ["event"], `round ${round}`);
          break;
        }
      }
      await write;
    }
  });

  it("events and replies from one burst arrive in wire order", async () => {
    await writer.create("/burst", "0");
    const log: string[] = [];
    await zk.getData("/burst", { watch: (e) => log.push(e.type) });
    await writer.setData("/burst", "1");
    // The notification was sent before the reply to this read.
    const read = zk.getData("/burst").then(() => log.push("read"));
    await read;
    assert.deepEqual(log, ["NodeDataChanged", "read"]);
  });

  it("a watcher that throws is reported and does not stop other watchers", async () => {
    const errors: unknown[] = [];
    const local = await ZooKeeper.connect(fx.server.connectString, {
      onError: (e) => errors.push(e),
    });
    try {
      await writer.create("/throws", "1");
      const events = new Events();
      await local.getData("/throws", {
        watch: () => {
          throw new Error("watcher bug");
        },
      });
      await local.getData("/throws", { watch: events.watch });
      await writer.setData("/throws", "2");
      await events.waitFor(1);
      await settle(local);
      assert.equal(errors.length, 1);
      assert.match(String(errors[0]), /watcher bug/);
      assert.equal(local.state.type, "connected");
    } finally {
      await local.close();
    }
  });

  it("the default watcher receives session events", async () => {
    const states: string[] = [];
    const local = await ZooKeeper.connect(fx.server.connectString, {
      watcher: (e) => states.push(`${e.type} ${e.state}`),
    });
    await settle(local);
    await local.close();
    // A closed client hears nothing more: once Closed came, the list is whole.
    await eventually(() => states.length === 2, "the Closed event");
    assert.deepEqual(states, ["None SyncConnected", "None Closed"]);
  });

  it("watches of many clients on one node all fire", async () => {
    await writer.create("/many", "1");
    const clients = await Promise.all(
      Array.from({ length: 5 }, () => ZooKeeper.connect(fx.server.connectString)),
    );
    try {
      const events = clients.map(() => new Events());
      await Promise.all(
        clients.map((c, i) => c.getData("/many", { watch: events[i].watch })),
      );
      await writer.setData("/many", "2");
      for (const e of events) {
        assert.deepEqual(await e.waitFor(1), ["NodeDataChanged /many"]);
      }
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
