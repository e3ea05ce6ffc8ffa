import { afterEach, before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { ZooKeeper, ZooKeeperError } from "../mod.ts";
import type { ZkEnsemble, ZkServer } from "./helpers/zk_server.ts";
import { useEnsemble } from "./helpers/fixture.ts";
import { eventually, waitForState } from "./helpers/wait.ts";

function serverOf(ensemble: ZkEnsemble, zk: ZooKeeper): ZkServer {
  const state = zk.state;
  assert.ok("host" in state, `not connected: ${state.type}`);
  const server = ensemble.servers.find((s) => s.port === state.host.port);
  assert.ok(server, `no server on port ${state.host.port}`);
  return server;
}

describe("A 3-server ensemble", () => {
  const fx = useEnsemble(3);
  let ensemble: ZkEnsemble;

  before(() => {
    ensemble = fx.ensemble;
  });

  afterEach(async () => {
    await restartStopped();
  });

  async function restartStopped() {
    for (const s of ensemble.servers) if (!s.running) await s.start();
    await eventually(async () => (await ensemble.leader()) !== undefined, "a leader");
  }

  it("the client moves to another server when its server dies, with the same session and watches", async () => {
    await using zk = await ZooKeeper.connect(ensemble.connectString, {
      sessionTimeout: 10_000,
      reconnectDelay: 50,
    });
    await using other = await ZooKeeper.connect(ensemble.connectString);
    const sessionId = zk.sessionId;
    await zk.create("/failover-eph", "", { mode: "ephemeral" });
    await other.create("/failover-watched", "1");
    const events: string[] = [];
    await zk.getData("/failover-watched", {
      watch: (e) => e.type !== "None" && events.push(e.type),
    });
    const victim = serverOf(ensemble, zk);
    const moved = waitForState(zk, (s) => s.type === "reconnected", "reconnected");
    await victim.kill();
    const state = await moved;
    assert.ok(state.type === "reconnected");
    assert.equal(state.sessionId, sessionId);
    assert.notEqual(state.host.port, victim.port);
    assert.equal((await zk.exists("/failover-eph"))?.ephemeralOwner, sessionId);
    await other.setData("/failover-watched", "2");
    await eventually(() => events.length === 1, "the watch after failover");
    assert.deepEqual(events, ["NodeDataChanged"]);
  });

  it("killing the leader during a stream of writes loses no acknowledged write", async () => {
    await using writer = await ZooKeeper.connect(ensemble.connectString, {
      sessionTimeout: 10_000,
      reconnectDelay: 50,
    });
    await writer.create("/stream");
    const acknowledged: string[] = [];
    let failures = 0;
    const leader = await ensemble.leader();
    assert.ok(leader);
    let killed = false;
    // Each failure is a lost connection, and there are few: 1,000 tries is
    // room enough for 300 writes.
    for (let i = 0; acknowledged.length < 300 && i < 1000; i++) {
      if (i === 100 && !killed) {
        killed = true;
        leader.kill();
      }
      try {
        acknowledged.push(
          await writer.create("/stream/n-", String(i), { mode: "persistentSequential" }),
        );
      } catch (error) {
        assert.ok(error instanceof ZooKeeperError, String(error));
        failures++;
        await waitForState(
          writer,
          (s) => s.type === "connected" || s.type === "reconnected",
          "the writer to reconnect",
          30_000,
        );
      }
    }
    assert.ok(killed);
    assert.equal(acknowledged.length, 300, `only ${acknowledged.length} writes went through`);
    await writer.sync("/stream");
    const present = new Set((await writer.getChildren("/stream")).map((c) => `/stream/${c}`));
    const lost = acknowledged.filter((p) => !present.has(p));
    assert.deepEqual(lost, []);
    // A write that failed with CONNECTIONLOSS may or may not have been applied.
    assert.ok(
      present.size >= acknowledged.length && present.size <= acknowledged.length + failures,
    );
    await restartStopped();
  });
});

describe("A 3-server ensemble in read-only mode", () => {
  const fx = useEnsemble(3, { readOnlyMode: true });
  let ensemble: ZkEnsemble;

  before(() => {
    ensemble = fx.ensemble;
  });

  it("without a quorum a new readOnly client reads from the last server; all write again once it returns", async () => {
    await using existing = await ZooKeeper.connect(ensemble.connectString, {
      readOnly: true,
      sessionTimeout: 30_000,
      reconnectDelay: 50,
    });
    await existing.create("/ro-data", "kept");
    // An ephemeral node makes the session global, so it outlives its server.
    await existing.create("/ro-owner", "", { mode: "ephemeral" });
    const sessionId = existing.sessionId;
    const survivor = ensemble.servers[0];
    const others = ensemble.servers.slice(1);
    for (const s of others) await s.stop();
    await eventually(
      async () => /Mode: read-only/.test(await survivor.fourLetter("srvr")),
      "the survivor to serve read-only",
      60_000,
    );
    // A session made on the ensemble cannot move to a read-only server (the
    // server refuses it): it waits, disconnected, for the quorum.
    assert.equal(existing.state.type, "disconnected");
    await using fresh = await ZooKeeper.connect(ensemble.connectString, {
      readOnly: true,
      sessionTimeout: 10_000,
      reconnectDelay: 50,
    });
    assert.equal(fresh.state.type, "connectedReadOnly");
    assert.equal(new TextDecoder().decode((await fresh.getData("/ro-data")).data), "kept");
    await assert.rejects(
      fresh.create("/ro-write"),
      (e: unknown) => e instanceof ZooKeeperError && e.code === "NOTREADONLY",
    );
    for (const s of others) await s.start();
    const back = await waitForState(
      existing,
      (s) => s.type === "reconnected",
      "the old session",
      60_000,
    );
    assert.ok(back.type === "reconnected" && back.sessionId === sessionId);
    await waitForState(fresh, (s) => s.type === "connected", "read-write again", 60_000);
    await fresh.create("/ro-write");
    await existing.setData("/ro-data", "changed");
  });
});
