import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { type NodeSnapshot, Registry, type ZooKeeper } from "../mod.ts";
import { type FaultProxy, startFaultProxy } from "./helpers/fault_proxy.ts";
import type { ZkEnsemble, ZkServer } from "./helpers/zk_server.ts";
import { useEnsemble, useZooKeeper } from "./helpers/fixture.ts";
import { eventually, settle } from "./helpers/wait.ts";

const names = (s: NodeSnapshot) => Object.keys(s.children).sort().join(",");

describe("Registry through a faulty network", () => {
  const fx = useZooKeeper();
  let server: ZkServer;
  let proxy: FaultProxy;
  let direct: ZooKeeper;

  before(async () => {
    server = fx.server;
    proxy = await startFaultProxy({ host: server.host, port: server.port });
    fx.defer(() => proxy.close());
    direct = await fx.connect();
  });

  it("a change made while disconnected reaches the callback once, and a reconnect alone none", async () => {
    await direct.create("/svc");
    await direct.create("/svc/a", "1");
    await using registry = await Registry.connect({ servers: proxy.address, sessionTimeout: 8000 });
    const seen: string[] = [];
    await registry.get("/svc", (s) => seen.push(names(s)));
    const states: string[] = [];
    registry.onStateChange((s) => states.push(s.type));

    await proxy.refuse(true);
    proxy.cut();
    await eventually(() => states.includes("disconnected"), "the disconnection");
    await direct.create("/svc/b", "2");
    const stale = await registry.get("/svc");
    assert.equal(stale.stale, true);
    assert.equal(names(stale), "a");
    await proxy.refuse(false);
    await eventually(() => seen.length === 1, "the change after the reconnect");
    assert.deepEqual(seen, ["a,b"]);

    // A reconnect with nothing changed calls nobody.
    proxy.cut();
    await eventually(() => states.filter((s) => s === "reconnected").length === 2, "reconnect");
    // The reconnect's resync and any reads it starts are done after this.
    await settle(registry.client!, 2);
    assert.deepEqual(seen, ["a,b"]);
    assert.equal((await registry.get("/svc")).stale, false);
  });
});

describe("Registry on a 3-server ensemble", () => {
  const fx = useEnsemble(3);
  let ensemble: ZkEnsemble;

  before(() => {
    ensemble = fx.ensemble;
  });

  it("a registration survives the death of the server it is connected to", async () => {
    await using registry = await Registry.connect({
      servers: ensemble.connectString,
      sessionTimeout: 10_000,
    });
    await using watcher = await Registry.connect({ servers: ensemble.connectString });
    await registry.setNode("/ens/svc/node1", { port: 1 });
    // The watcher's server may lag the leader for a moment: start from what it sees then.
    await eventually(async () => names(await watcher.get("/ens/svc")) === "node1", "node1");
    const seen: string[] = [];
    watcher.onChange("/ens/svc", (s) => seen.push(names(s)));
    const before = registry.client!.sessionId;
    const state = registry.client!.state;
    assert.ok("host" in state);
    const victim = ensemble.servers.find((s) => s.port === state.host.port)!;
    await victim.kill();
    await eventually(() => registry.state.type === "reconnected", "the registry to reconnect");
    assert.equal(registry.client!.sessionId, before);
    const snapshot = await watcher.get("/ens/svc");
    assert.deepEqual(Object.keys(snapshot.children), ["node1"]);
    // What the registry sent after its reconnect is applied, then the
    // watcher has heard of all of it (its sync catches its server up).
    await settle(registry.client!, 2);
    await settle(watcher.client!, 2);
    assert.deepEqual(seen, []);
    await victim.start();
  });
});
