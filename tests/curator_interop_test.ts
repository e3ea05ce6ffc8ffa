import { after, before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Registry, ServiceDiscovery, type ServiceInstance, type ZooKeeper } from "../mod.ts";
import { killPeers, repoRoot, startPeer } from "./helpers/peer.ts";
import { serve } from "../src/http/mod.ts";
import type { ZkServer } from "./helpers/zk_server.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually } from "./helpers/wait.ts";

// Debian's jars (libcurator-discovery-java and what it depends on), installed
// by scripts/install_zookeeper.sh.
const jars = [
  "curator-x-discovery",
  "curator-recipes",
  "curator-framework",
  "curator-client",
  "zookeeper",
  "zookeeper-jute",
  "guava",
  "jackson-databind",
  "jackson-core",
  "jackson-annotations",
  "slf4j-api",
  "slf4j-nop",
].map((name) => `/usr/share/java/${name}.jar`);

interface CuratorView {
  id: string;
  name: string;
  address: string;
  port: number | null;
  sslPort: number | null;
  payload: unknown;
  serviceType: string;
  enabled: boolean;
}

describe("Interop with Apache Curator's service discovery (libcurator-discovery-java)", () => {
  const fx = useZooKeeper();
  let server: ZkServer;
  let zk: ZooKeeper;
  let registry: Registry;
  let discovery: ServiceDiscovery;
  let classes: string;
  let classpath: string;

  before(async () => {
    fx.defer(killPeers);
    classes = await mkdtemp(join(tmpdir(), "curator-peer-"));
    execFileSync("javac", [
      "-nowarn",
      "-d",
      classes,
      "-cp",
      jars.join(":"),
      `${repoRoot}/tests/interop/CuratorPeer.java`,
    ]);
    classpath = [classes, ...jars].join(":");
    server = fx.server;
    zk = await fx.connect();
    registry = await fx.registry();
    discovery = new ServiceDiscovery(registry);
  });

  after(async () => {
    if (classes) await rm(classes, { recursive: true, force: true });
  });

  /** What Curator's queryForInstances, ServiceCache and strict reader see of a service. */
  async function curatorRead(service: string, count: number) {
    const peer = startPeer("java", [
      "-cp",
      classpath,
      "CuratorPeer",
      "read",
      server.connectString,
      "/services",
      service,
      String(count),
    ]);
    const { query } = await peer.waitFor<{ query?: CuratorView[] }>(
      (l) => l.query !== undefined,
      "query",
    );
    const { cache } = await peer.waitFor<{ cache?: CuratorView[] }>(
      (l) => l.cache !== undefined,
      "cache",
    );
    const { strict } = await peer.waitFor<{ strict?: Record<string, string> }>(
      (l) => l.strict !== undefined,
      "strict",
    );
    assert.equal(await peer.end(), 0, peer.stderr());
    return { query: query!, cache: cache!, strict: strict! };
  }

  it("Curator's queryForInstances and ServiceCache read the instances we register, enabled flag included", async () => {
    await discovery.register("web", {
      id: "a",
      address: "10.0.0.1",
      port: 8080,
      payload: { zone: "b" },
    });
    await discovery.register("web", {
      id: "b",
      address: "10.0.0.2",
      port: 8080,
      sslPort: 8443,
      enabled: false,
      ephemeral: false,
    });
    const { query, cache, strict } = await curatorRead("web", 2);
    for (const list of [query, cache]) {
      const byId = Object.fromEntries(list.map((i) => [i.id, i]));
      assert.deepEqual(Object.keys(byId).sort(), ["a", "b"]);
      assert.deepEqual(byId.a.payload, { zone: "b" });
      assert.deepEqual([byId.a.name, byId.a.address, byId.a.port], ["web", "10.0.0.1", 8080]);
      assert.deepEqual([byId.a.enabled, byId.a.serviceType], [true, "DYNAMIC"]);
      assert.deepEqual([byId.b.enabled, byId.b.sslPort, byId.b.serviceType], [
        false,
        8443,
        "PERMANENT",
      ]);
    }
    // A Jackson reader with default settings rejects fields Curator does not have.
    assert.deepEqual(strict, { a: "read a", b: "read b" });
    await discovery.unregister("web", "b");
  });

  it("what Curator registers is read by ours, its payload without Jackson's @class, and goes when Curator unregisters", async () => {
    const peer = startPeer("java", [
      "-cp",
      classpath,
      "CuratorPeer",
      "register",
      server.connectString,
      "/services",
      "java",
      "j1",
      "9090",
    ]);
    const seen: ServiceInstance[][] = [];
    await discovery.instances("java");
    const off = discovery.onChange("java", (list) => seen.push(list));
    try {
      assert.equal(await peer.nextLine(), "ready", peer.stderr());
      const raw = JSON.parse(
        new TextDecoder().decode((await zk.getData("/services/java/j1")).data),
      );
      assert.equal(raw.payload["@class"] !== undefined, true, "Curator writes a type id");
      await eventually(() => seen.at(-1)?.length === 1, "Curator's instance in ours");
      const [instance] = seen.at(-1)!;
      assert.deepEqual(
        [instance.id, instance.name, instance.address, instance.port, instance.enabled],
        ["j1", "java", "127.0.0.1", 9090, true],
      );
      assert.deepEqual(instance.payload, { zone: "a" });
      const provider = discovery.provider("java");
      assert.equal((await provider.getInstance())?.id, "j1");
    } finally {
      assert.equal(await peer.end(), 0, peer.stderr());
    }
    await eventually(() => seen.at(-1)?.length === 0, "the instance gone");
    off();
  });

  it("Curator's strict reader reads the instances the gateway registers", async () => {
    const gateway = serve(registry, { token: "t", base: "/services" });
    for (
      const [id, body] of [["g1", { address: "10.3.3.1", port: 80 }], ["g2", {
        address: "10.3.3.2",
        port: 81,
        sslPort: 443,
        payload: { zone: "c" },
      }]] as const
    ) {
      const response = await gateway(
        new Request(`http://localhost/v1/services/gw/${id}?ttl=60s`, {
          method: "PUT",
          body: JSON.stringify(body),
          headers: { authorization: "Bearer t" },
        }),
      );
      assert.equal(response.status, 201, await response.text());
    }
    const { query, strict } = await curatorRead("gw", 2);
    const byId = Object.fromEntries(query.map((i) => [i.id, i]));
    assert.deepEqual([byId.g1.address, byId.g1.port, byId.g1.serviceType], [
      "10.3.3.1",
      80,
      "DYNAMIC",
    ]);
    assert.deepEqual(byId.g2.payload, { zone: "c" });
    assert.deepEqual(strict, { g1: "read g1", g2: "read g2" });
  });
});
