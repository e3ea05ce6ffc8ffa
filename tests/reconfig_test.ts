import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { ZooKeeper, ZooKeeperError } from "../mod.ts";
import type { ZkEnsemble, ZkServer } from "./helpers/zk_server.ts";
import { useEnsemble, useZooKeeper } from "./helpers/fixture.ts";
import { eventually, settle } from "./helpers/wait.ts";

// Each client ends on each of the 4 servers with probability 1/4: with 60,
// fewer than 2 on one of them has a chance of about 1e-6.
const CLIENTS = 60;

function portOf(zk: ZooKeeper): number | undefined {
  const state = zk.state;
  return state.type === "connected" || state.type === "reconnected" ? state.host.port : undefined;
}

/**
 * A barrier on a client that follows the config: once it resolves, the
 * client has read the config changed before it and moved if it was to. A
 * move loses the barrier's requests with the connection: then it is tried
 * again, on the new server.
 */
async function heardConfig(zk: ZooKeeper): Promise<void> {
  for (let tries = 1;; tries++) {
    try {
      return await settle(zk, 2);
    } catch (error) {
      if (!ZooKeeperError.is(error, "CONNECTIONLOSS") || tries === 3) throw error;
    }
  }
}

describe("Dynamic reconfiguration on a 3-server ensemble", () => {
  const fx = useEnsemble(3, { reconfig: true, config: { skipACL: "yes" } });
  let cluster: ZkEnsemble;
  let leader: ZkServer;
  let admin: ZooKeeper;
  const clients: ZooKeeper[] = [];

  before(async () => {
    cluster = fx.ensemble;
    fx.defer(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await admin?.close();
    });
    // The admin talks to the leader only, which no test removes: a server
    // that leaves drops its connections, and a reconfig's reply with them.
    leader = await cluster.waitForLeader();
    admin = await ZooKeeper.connect(leader.connectString);
  });

  it("getConfig() lists the members with their roles, ports and the version", async () => {
    const config = await admin.getConfig();
    assert.equal(config.servers.length, 3);
    for (const server of cluster.servers) {
      const member = config.servers.find((s) => s.id === cluster.id(server));
      assert.ok(member, `server ${cluster.id(server)}`);
      assert.equal(member.role, "participant");
      assert.deepEqual(member.client, { host: "127.0.0.1", port: server.port });
      assert.equal(`server.${member.id}=${member.spec}`, cluster.spec(server));
    }
    assert.ok(config.version > 0n);
  });

  it("reconfig() with a stale fromConfig fails with BADVERSION", async () => {
    const { version } = await admin.getConfig();
    await assert.rejects(
      admin.reconfig({ leaving: [3], fromConfig: version - 1n }),
      (e: unknown) => ZooKeeperError.is(e, "BADVERSION"),
    );
    assert.equal((await admin.getConfig()).servers.length, 3);
  });

  it("a fourth server joins; clients that follow the config spread onto it, sessions intact", async () => {
    for (let i = 0; i < CLIENTS; i++) {
      clients.push(
        await ZooKeeper.connect(cluster.connectString, { followConfig: true, reconnectDelay: 100 }),
      );
    }
    const sessions = clients.map((c) => c.sessionId);
    const fourth = await cluster.addServer();
    const configChanged = new Promise((resolve) => admin.getConfig({ watch: resolve }));
    const config = await admin.reconfig({ joining: [cluster.spec(fourth)] });
    assert.equal(config.servers.length, 4);
    assert.ok(config.servers.some((s) => s.id === 4 && s.client?.port === fourth.port));
    await configChanged;
    // Every client has heard of the new config, read it and moved or not.
    await Promise.all(clients.map(heardConfig));
    await eventually(() => clients.every((c) => portOf(c) !== undefined), "every client connected");
    const counts = new Map<number, number>();
    for (const c of clients) counts.set(portOf(c)!, (counts.get(portOf(c)!) ?? 0) + 1);
    // About 15 each; a rule that moved everyone, or no one, would not be.
    for (const server of cluster.servers) {
      const n = counts.get(server.port) ?? 0;
      assert.ok(n >= 2 && n <= 33, JSON.stringify([...counts]));
    }
    assert.deepEqual(clients.map((c) => c.sessionId), sessions);
  });

  it("removing a client's own server moves it to a remaining one with its session and watches", async () => {
    // A follower leaves (the leader stays, and the admin with it), and a
    // client that connects to it first.
    const mine = cluster.servers.find((s) => s !== leader)!;
    const others = cluster.servers.filter((s) => s !== mine);
    const zk = await ZooKeeper.connect([mine, ...others].map((s) => s.connectString).join(","), {
      followConfig: true,
      keepHostOrder: true,
      reconnectDelay: 100,
    });
    clients.push(zk);
    assert.equal(portOf(zk), mine.port);
    const sessionId = zk.sessionId;
    await admin.create("/watched", "1");
    // zk's server is a follower: it may not have applied the create yet.
    await zk.sync("/watched");
    const fired: string[] = [];
    await zk.getData("/watched", { watch: (e) => fired.push(`${e.type} ${e.path}`) });
    await zk.create("/mine", "", { mode: "ephemeral" });
    const config = await admin.reconfig({ leaving: [cluster.id(mine)] });
    assert.ok(!config.servers.some((s) => s.id === cluster.id(mine)));
    const remaining = new Set(config.servers.map((s) => s.client!.port));
    await eventually(() => remaining.has(portOf(zk) ?? -1), "the client on a remaining server");
    await eventually(
      () => clients.every((c) => remaining.has(portOf(c) ?? -1)),
      "every client on a remaining server",
    );
    assert.equal(zk.sessionId, sessionId);
    await admin.setData("/watched", "2");
    await eventually(() => fired.includes("NodeDataChanged /watched"), "the watch to fire");
    assert.ok(await admin.exists("/mine"), "the ephemeral node outlived the move");
  });
});

describe("Reconfiguration refused", () => {
  const fx = useZooKeeper();

  it("a server without reconfigEnabled answers RECONFIGDISABLED", async () => {
    await using zk = await ZooKeeper.connect(fx.server.connectString);
    await assert.rejects(
      zk.reconfig({ joining: ["server.9=127.0.0.1:1:2;127.0.0.1:3"] }),
      (e: unknown) => ZooKeeperError.is(e, "RECONFIGDISABLED"),
    );
  });

  it("updateServerList() rejects a malformed connect string and keeps the client", async () => {
    const server = fx.server;
    await using zk = await ZooKeeper.connect(server.connectString);
    assert.throws(
      () => zk.updateServerList(""),
      (e: unknown) => ZooKeeperError.is(e, "BADARGUMENTS"),
    );
    assert.equal(zk.updateServerList(server.connectString), false);
    assert.ok(await zk.exists("/"));
  });
});
