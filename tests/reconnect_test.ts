import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { type Transport, ZooKeeper, ZooKeeperError } from "../mod.ts";
import { type FaultProxy, startFaultProxy } from "./helpers/fault_proxy.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { requestCounter } from "./helpers/request_counter.ts";
import { eventually, nextState, settle } from "./helpers/wait.ts";

describe("Reconnection through a faulty network", () => {
  const fx = useZooKeeper();
  let direct: ZooKeeper;
  let proxy: FaultProxy;

  before(async () => {
    direct = await fx.connect();
    proxy = await startFaultProxy({ host: fx.server.host, port: fx.server.port });
    fx.defer(() => proxy.close());
  });

  async function client(
    sessionTimeout = 4000,
    transport?: Transport,
  ): Promise<ZooKeeper> {
    proxy.setMode("pass");
    await proxy.refuse(false);
    return await ZooKeeper.connect(proxy.address, {
      sessionTimeout,
      reconnectDelay: 50,
      transport,
    });
  }

  it("a cut connection resumes the same session with its ephemeral nodes and watches", async () => {
    await using zk = await client();
    const sessionId = zk.sessionId;
    await zk.create("/cut-eph", "", { mode: "ephemeral" });
    await direct.create("/cut-watched", "1");
    const events: string[] = [];
    await zk.getData("/cut-watched", {
      watch: (e) => e.type !== "None" && events.push(`${e.type} ${e.path}`),
    });
    const states: string[] = [];
    zk.onStateChange((s) => states.push(s.type));
    const reconnected = nextState(zk, "reconnected");
    proxy.cut();
    const state = await reconnected;
    assert.ok(state.type === "reconnected" && state.sessionId === sessionId);
    assert.deepEqual(states, ["disconnected", "reconnected"]);
    assert.equal((await direct.exists("/cut-eph"))?.ephemeralOwner, sessionId);
    await direct.setData("/cut-watched", "2");
    await eventually(() => events.length === 1, "the watch");
    assert.deepEqual(events, ["NodeDataChanged /cut-watched"]);
  });

  it("a change made while the client was away fires its restored watch", async () => {
    await using zk = await client();
    await direct.create("/away", "1");
    await direct.create("/away-child-parent");
    const events: string[] = [];
    const watch = (e: { type: string; path: string }) =>
      e.type !== "None" && events.push(`${e.type} ${e.path}`);
    await zk.getData("/away", { watch });
    await zk.getChildren("/away-child-parent", { watch });
    await zk.exists("/away-born", { watch });
    await proxy.refuse(true);
    const disconnected = nextState(zk, "disconnected");
    proxy.cut();
    await disconnected;
    await direct.setData("/away", "2");
    await direct.create("/away-child-parent/kid");
    await direct.create("/away-born");
    const reconnected = nextState(zk, "reconnected");
    await proxy.refuse(false);
    await reconnected;
    await eventually(() => events.length === 3, "three restored watches");
    assert.deepEqual(events.sort(), [
      "NodeChildrenChanged /away-child-parent",
      "NodeCreated /away-born",
      "NodeDataChanged /away",
    ]);
  });

  it("persistent watches keep firing after a reconnect", async () => {
    await using zk = await client();
    const events: string[] = [];
    await zk.addWatch("/pers", "persistentRecursive", (e) => {
      if (e.type !== "None") events.push(`${e.type} ${e.path}`);
    });
    const reconnected = nextState(zk, "reconnected");
    proxy.cut();
    await reconnected;
    // A round trip: the server has processed the SetWatches2 sent before it.
    await zk.exists("/");
    await direct.create("/pers");
    await direct.create("/pers/a");
    await eventually(() => events.length === 2, "events after the reconnect");
    assert.deepEqual(events, ["NodeCreated /pers", "NodeCreated /pers/a"]);
  });

  it("a silent server (half-open socket) is detected by the read timeout", async () => {
    await using zk = await client(3000);
    const disconnected = nextState(zk, "disconnected");
    proxy.setMode("blackhole");
    const state = await disconnected;
    // When (two thirds of the session timeout) is timed on the fake clock in
    // session_lifecycle_test.ts and heartbeat_test.ts.
    assert.ok(
      state.type === "disconnected" && /No reply from the server/.test(state.error.message),
      `lost by the read timeout: ${state.type}`,
    );
    const reconnected = nextState(zk, "reconnected");
    proxy.setMode("pass");
    proxy.cut();
    await reconnected;
    assert.ok(await zk.exists("/"));
  });

  it("a partition longer than the session timeout expires the session on both sides", async () => {
    const zk = await client(2000);
    const sessionId = zk.sessionId;
    await zk.create("/partitioned", "", { mode: "ephemeral" });
    const pending = zk.getData("/partitioned").then(() => undefined, (e: unknown) => e);
    const expired = nextState(zk, "expired", "expired", 20_000);
    proxy.setMode("blackhole");
    await proxy.refuse(true);
    await expired;
    const failure = await pending;
    assert.ok(failure instanceof ZooKeeperError && failure.code === "CONNECTIONLOSS");
    await assert.rejects(
      zk.getData("/partitioned"),
      (e: unknown) => e instanceof ZooKeeperError && e.code === "SESSIONEXPIRED",
    );
    await eventually(async () => (await direct.exists("/partitioned")) === null, "server expiry");
    assert.notEqual(sessionId, 0n);
    await zk.close();
  });

  it("a call in flight when the connection drops rejects with CONNECTIONLOSS and is not retried", async () => {
    const counter = await requestCounter();
    await using zk = await client(4000, counter.transport);
    await direct.create("/inflight");
    proxy.setMode("blackhole");
    const create = zk.create("/inflight/n-", "", { mode: "persistentSequential" });
    await eventually(() => counter.total("create", "create2") === 1, "the create to be sent");
    const reconnected = nextState(zk, "reconnected");
    proxy.setMode("pass");
    proxy.cut();
    await assert.rejects(
      create,
      (e: unknown) => e instanceof ZooKeeperError && e.code === "CONNECTIONLOSS",
    );
    await reconnected;
    // A create sent again after the reconnect would come before this barrier.
    await settle(zk);
    assert.equal(counter.total("create", "create2"), 1);
    assert.deepEqual(await direct.getChildren("/inflight"), []);
  });

  it("calls made while disconnected wait for the reconnect", async () => {
    const counter = await requestCounter();
    await using zk = await client(4000, counter.transport);
    await direct.create("/waiting", "here");
    await proxy.refuse(true);
    const disconnected = nextState(zk, "disconnected");
    proxy.cut();
    await disconnected;
    let settled = false;
    const read = zk.getData("/waiting").finally(() => settled = true);
    // Two refused connections later, the read still waits.
    const tried = counter.connects;
    await eventually(() => counter.connects >= tried + 2, "two more connection attempts");
    assert.equal(settled, false);
    await proxy.refuse(false);
    assert.equal(new TextDecoder().decode((await read).data), "here");
  });

  it("works over a slow link", async () => {
    await using zk = await client();
    proxy.setDelay(40);
    try {
      await zk.create("/slow", "x");
      const results = await Promise.all(Array.from({ length: 50 }, () => zk.exists("/slow")));
      assert.ok(results.every((s) => s?.dataLength === 1));
    } finally {
      proxy.setDelay(0);
    }
  });

  it("50,000 watches are restored after a reconnect, in batches the server accepts", async () => {
    await using zk = await client(10_000);
    const paths = Array.from({ length: 50_000 }, (_, i) => `/many-watches/node-${i}`);
    const events: string[] = [];
    const watch = (e: { type: string; path: string }) => e.type !== "None" && events.push(e.path);
    for (let i = 0; i < paths.length; i += 5000) {
      await Promise.all(paths.slice(i, i + 5000).map((p) => zk.exists(p, { watch })));
    }
    const reconnected = nextState(zk, "reconnected", "reconnected", 30_000);
    const states: string[] = [];
    zk.onStateChange((s) => states.push(s.type));
    proxy.cut();
    await reconnected;
    // The session survived the SetWatches batches (one oversized packet would
    // have made the server drop the connection): a round trip after them
    // comes back on the same connection.
    await settle(zk);
    assert.deepEqual(states, ["disconnected", "reconnected"]);
    await direct.create("/many-watches");
    await direct.create(paths[0]);
    await direct.create(paths[49_999]);
    await eventually(() => events.length === 2, "events on restored watches");
    assert.deepEqual(events.sort(), [paths[0], paths[49_999]].sort());
  });
});
