import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { rebalance } from "../src/session/rebalance.ts";
import { HostRing } from "../src/session/host_ring.ts";
import { clientHosts, CONFIG_WATCH_KEY, parseConfig } from "../src/client/config.ts";
import { reconfigRequest } from "../src/client/reconfig.ts";
import { Chroot } from "../src/client/chroot.ts";
import { restoreWatchRequests } from "../src/client/watch_restore.ts";
import { WatchRegistry } from "../src/client/watch_registry.ts";
import { readSetWatches, zeroStat } from "./helpers/server_codec.ts";
import { ZooKeeperError } from "../src/protocol/errors.ts";
import { JuteWriter } from "../src/jute/writer.ts";
import { JuteReader } from "../src/jute/reader.ts";
import { OpCode } from "../src/protocol/constants.ts";

const hosts = (...ports: number[]) => ports.map((port) => ({ host: "127.0.0.1", port }));

// A seeded generator, so the proportions are the same on every run.
function seeded(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

/** How many of `clients` clients, spread evenly over `old`, end on each port. */
function spread(old: number[], next: number[], clients: number): Map<number, number> {
  const random = seeded(7);
  const counts = new Map<number, number>();
  for (let i = 0; i < clients; i++) {
    const current = { host: "127.0.0.1", port: old[i % old.length] };
    const plan = rebalance(hosts(...old), hosts(...next), current, random);
    const port = plan.moveTo === undefined ? current.port : plan.hosts[plan.moveTo].port;
    counts.set(port, (counts.get(port) ?? 0) + 1);
  }
  return counts;
}

const stat = zeroStat();

describe("Server list changes and the ensemble config", () => {
  it("rebalance() moves a quarter of the clients to a fourth server and keeps the rest", () => {
    const counts = spread([1, 2, 3], [1, 2, 3, 4], 12_000);
    for (const port of [1, 2, 3, 4]) {
      const share = (counts.get(port) ?? 0) / 12_000;
      assert.ok(Math.abs(share - 0.25) < 0.02, `port ${port}: ${share}`);
    }
  });

  it("rebalance() keeps a client whose server stays when the list shrinks", () => {
    const plan = rebalance(hosts(1, 2, 3), hosts(1, 2), { host: "127.0.0.1", port: 2 }, () => 0.5);
    assert.equal(plan.moveTo, undefined);
    assert.deepEqual(plan.hosts.map((h) => h.port).sort(), [1, 2]);
  });

  it("rebalance() moves every client of a removed server, evenly over the rest", () => {
    const counts = spread([1, 2, 3], [1, 2], 9_000);
    assert.equal(counts.get(3), undefined);
    assert.ok(Math.abs((counts.get(1) ?? 0) / 9_000 - 0.5) < 0.02);
  });

  it("rebalance() spreads clients of a replaced server over old and new ones evenly", () => {
    // 1,2,3 -> 1,2,4: the clients of 3 go to 4 only; 1 and 2 keep theirs.
    const counts = spread([1, 2, 3], [1, 2, 4], 9_000);
    assert.equal(counts.get(3), undefined);
    for (const port of [1, 2, 4]) assert.equal(counts.get(port), 3_000, `port ${port}`);
    // 1,2,3,4 -> 1,2,5: a third each, so some clients of 3 and 4 go to 1 and 2.
    const mixed = spread([1, 2, 3, 4], [1, 2, 5], 12_000);
    for (const port of [1, 2, 5]) {
      assert.ok(Math.abs((mixed.get(port) ?? 0) / 12_000 - 1 / 3) < 0.02, `port ${port}`);
    }
  });

  it("rebalance() refuses an empty list", () => {
    assert.throws(() => rebalance(hosts(1), [], undefined, Math.random), RangeError);
  });

  it("HostRing.replace() goes on after the server in use", () => {
    const ring = new HostRing(hosts(1, 2));
    ring.advance();
    ring.replace(hosts(5, 1, 7), 1);
    assert.equal(ring.current.port, 1);
    assert.equal(ring.advance().port, 7);
    assert.equal(ring.advance().port, 5);
  });

  it("parseConfig() reads members, roles, ports, client addresses and the version", () => {
    const config = parseConfig(
      [
        "server.1=10.0.0.1:2888:3888:participant;0.0.0.0:2181",
        "server.2=10.0.0.2:2888:3888:observer;10.0.1.2:2182",
        "server.3=[::1]:2888:3888;[::1]:2183",
        "server.4=10.0.0.4:2888:3888",
        "version=10000000a",
      ].join("\n"),
      stat,
    );
    assert.equal(config.version, 0x10000000an);
    assert.deepEqual(config.servers.map((s) => [s.id, s.role, s.quorumPort, s.electionPort]), [
      [1, "participant", 2888, 3888],
      [2, "observer", 2888, 3888],
      [3, "participant", 2888, 3888],
      [4, "participant", 2888, 3888],
    ]);
    assert.equal(config.servers[2].host, "::1");
    assert.deepEqual(clientHosts(config), [
      { host: "10.0.0.1", port: 2181 },
      { host: "10.0.1.2", port: 2182 },
      { host: "::1", port: 2183 },
    ]);
  });

  it("parseConfig() rejects a malformed line", () => {
    assert.throws(
      () => parseConfig("server.1=10.0.0.1:x:3888", stat),
      (e: unknown) => ZooKeeperError.is(e, "MARSHALLINGERROR") && /server\.1/.test(e.message),
    );
  });

  it("reconfigRequest() writes ReconfigRequest and refuses mixed or empty changes", () => {
    const request = reconfigRequest({ joining: ["server.4=a:1:2;3"], leaving: [2, 3] });
    assert.equal(request.opcode, OpCode.reconfig);
    const w = new JuteWriter(64);
    request.encode!(w);
    const r = new JuteReader(w.bytes());
    assert.deepEqual(
      [r.readString(), r.readString(), r.readString(), r.readLong()],
      ["server.4=a:1:2;3", "2,3", null, -1n],
    );
    assert.throws(
      () => reconfigRequest({ members: ["server.1=a:1:2;3"], leaving: [1] }),
      (e: unknown) => ZooKeeperError.is(e, "BADARGUMENTS"),
    );
    assert.throws(() => reconfigRequest({}), (e: unknown) => ZooKeeperError.is(e, "BADARGUMENTS"));
  });

  it("restoreWatchRequests() restores a config watch outside the chroot, a user's node under it", () => {
    const watches = new WatchRegistry();
    watches.add("data", CONFIG_WATCH_KEY, () => {});
    watches.add("data", "/zookeeper/config", () => {});
    watches.add("data", "/a", () => {});
    const [request] = restoreWatchRequests(watches, new Chroot("/app"), 1n);
    const w = new JuteWriter();
    request.encode(w);
    const { dataWatches } = readSetWatches(new JuteReader(w.bytes()));
    assert.deepEqual(dataWatches.sort(), ["/app/a", "/app/zookeeper/config", "/zookeeper/config"]);
  });
});
