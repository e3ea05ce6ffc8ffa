import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { ZooKeeper, ZooKeeperError } from "../mod.ts";
import type { WatchedEvent } from "../src/client/watch_registry.ts";
import { type FaultProxy, startFaultProxy } from "./helpers/fault_proxy.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually, nextState, settle } from "./helpers/wait.ts";

describe("Watch events across connection changes", () => {
  const fx = useZooKeeper();
  let direct: ZooKeeper;
  let proxy: FaultProxy;

  before(async () => {
    direct = await fx.connect();
    proxy = await startFaultProxy({ host: fx.server.host, port: fx.server.port });
    fx.defer(() => proxy.close());
  });

  const client = () =>
    ZooKeeper.connect(proxy.address, { sessionTimeout: 4000, reconnectDelay: 50 });

  it("a one-shot watcher gets node events only, not Disconnected or SyncConnected", async () => {
    await using zk = await client();
    await direct.create("/oneshot", "1");
    const events: string[] = [];
    await zk.getData("/oneshot", { watch: (e) => events.push(`${e.type} ${e.state}`) });
    const reconnected = nextState(zk, "reconnected");
    proxy.cut();
    await reconnected;
    await direct.setData("/oneshot", "2");
    await eventually(() => events.length > 0, "the data change");
    await settle(zk);
    assert.deepEqual(events, ["NodeDataChanged SyncConnected"]);
    await direct.delete("/oneshot");
  });

  it("a one-shot watcher gets one last event when the session closes", async () => {
    const zk = await client();
    await direct.create("/last", "1");
    const events: string[] = [];
    await zk.getData("/last", { watch: (e) => events.push(`${e.type} ${e.state}`) });
    await zk.close();
    // A closed client hears nothing more: once one event came, it is the last.
    await eventually(() => events.length > 0, "the closing event");
    assert.deepEqual(events, ["None Closed"]);
    await direct.delete("/last");
  });

  it("zk.watch() yields a reconnected item after every reconnect", async () => {
    await using zk = await client();
    const items: (WatchedEvent | { type: "reconnected" })[] = [];
    const abort = new AbortController();
    const reading = (async () => {
      for await (const item of zk.watch("/resync", { recursive: true, signal: abort.signal })) {
        items.push(item);
      }
    })();
    await settle(zk);
    for (let i = 0; i < 2; i++) {
      const reconnected = nextState(zk, "reconnected");
      proxy.cut();
      await reconnected;
      await settle(zk);
    }
    await direct.create("/resync");
    await eventually(() => items.length === 3, "two reconnects and an event");
    assert.deepEqual(items.map((i) => i.type), ["reconnected", "reconnected", "NodeCreated"]);
    abort.abort();
    await reading;
    await direct.delete("/resync");
  });

  it("removeWatches with local: true while disconnected settles at once and is not restored", async () => {
    await using zk = await client();
    const watcher = () => {};
    await zk.addWatch("/local-away", "persistent", watcher);
    await proxy.refuse(true);
    const disconnected = nextState(zk, "disconnected");
    proxy.cut();
    await disconnected;
    await zk.removeWatches("/local-away", watcher, "persistent", { local: true });
    const reconnected = nextState(zk, "reconnected");
    await proxy.refuse(false);
    await reconnected;
    await settle(zk);
    assert.doesNotMatch(await fx.server.fourLetter("wchc"), /\/local-away/);
  });

  it("zk.watch() ends with SESSIONEXPIRED when the session expires", async () => {
    const zk = await client();
    const iterator = zk.watch("/gone");
    await settle(zk);
    await proxy.refuse(true);
    proxy.cut();
    await assert.rejects(
      (async () => {
        for await (const _ of iterator) { /* nothing */ }
      })(),
      (e: unknown) => ZooKeeperError.is(e, "SESSIONEXPIRED"),
    );
    await proxy.refuse(false);
    await zk.close();
  });
});
