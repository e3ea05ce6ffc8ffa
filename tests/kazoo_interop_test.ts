import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { type NodeSnapshot, type Registry, ServiceDiscovery } from "../mod.ts";
import { killPeers, type Peer, repoRoot, startPeer } from "./helpers/peer.ts";
import type { ZkServer } from "./helpers/zk_server.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually } from "./helpers/wait.ts";

// Debian's interpreter, where python3-kazoo is installed (scripts/install_zookeeper.sh).
const python = "/usr/bin/python3";
const script = `${repoRoot}/tests/interop/kazoo_peer.py`;

describe("Interop with kazoo (python3-kazoo)", () => {
  const fx = useZooKeeper();
  let server: ZkServer;
  let registry: Registry;

  before(async () => {
    server = fx.server;
    fx.defer(killPeers);
    registry = await fx.registry();
  });

  it("kazoo's ChildrenWatch and DataWatch see what we register, change and unregister", async () => {
    const peer: Peer = startPeer(python, [
      script,
      "watch",
      server.connectString,
      "/kz/web",
      "/kz/web/a:80",
    ]);
    try {
      await peer.waitFor((line) => line === "ready", "ready");
      await registry.setNode("/kz/web/a:80", { v: 1 });
      await peer.waitFor<{ children?: string[] }>(
        (line) => line.children?.join() === "a:80",
        "the child in kazoo's ChildrenWatch",
      );
      const first = await peer.waitFor<{ data?: string | null }>(
        (line) => typeof line.data === "string",
        "the data in kazoo's DataWatch",
      );
      assert.equal(JSON.parse(first.data!).v, 1);
      await registry.setNode("/kz/web/a:80", { v: 2 });
      await peer.waitFor<{ data?: string | null }>(
        (line) => typeof line.data === "string" && JSON.parse(line.data).v === 2,
        "the new data",
      );
      await registry.unset("/kz/web/a:80");
      await peer.waitFor<{ children?: string[] }>(
        (line) => line.children?.length === 0,
        "the child gone",
      );
      await peer.waitFor<{ data?: string | null }>((line) => line.data === null, "no data");
    } finally {
      assert.equal(await peer.end(), 0, peer.stderr());
    }
  });

  it("what kazoo registers, as ndServiceRegistry does, is read by ours as it means", async () => {
    const seen: NodeSnapshot[] = [];
    await registry.get("/kz/ssh", (snapshot) => seen.push(snapshot));
    // ndServiceRegistry's encoding of text data, through kazoo.
    const nd = JSON.stringify({
      pid: 8364,
      string_value: "ssh server",
      created: "2012-12-14 21:17:50",
    });
    const peer = startPeer(python, [
      script,
      "register",
      server.connectString,
      "/kz/ssh/host1:22",
      nd,
    ]);
    const json = startPeer(python, [
      script,
      "register",
      server.connectString,
      "/kz/ssh/host2:22",
      JSON.stringify({ weight: 2 }),
    ]);
    try {
      assert.equal(JSON.parse(await peer.nextLine()), "ready", peer.stderr());
      assert.equal(JSON.parse(await json.nextLine()), "ready", json.stderr());
      await eventually(
        () => Object.keys(seen.at(-1)?.children ?? {}).length === 2,
        "both registrations in our callback",
      );
      const snapshot = await registry.get("/kz/ssh");
      assert.deepEqual(snapshot.children["host2:22"], { weight: 2 });
      assert.equal(
        (snapshot.children["host1:22"] as Record<string, unknown>).string_value,
        "ssh server",
      );
      const instances = await new ServiceDiscovery(registry, { basePath: "/kz" }).instances("ssh");
      const host1 = instances.find((i) => i.id === "host1:22")!;
      assert.deepEqual([host1.address, host1.port, host1.payload], ["host1", 22, "ssh server"]);
    } finally {
      assert.equal(await peer.end(), 0, peer.stderr());
    }
    await eventually(
      () => Object.keys(seen.at(-1)?.children ?? {}).join() === "host2:22",
      "kazoo's node gone from our callback",
    );
    assert.equal(await json.end(), 0, json.stderr());
  });
});
