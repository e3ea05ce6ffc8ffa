import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import {
  Registry,
  ServiceDiscovery,
  type ServiceInstance,
  toInstance,
  type ZooKeeper,
  ZooKeeperError,
} from "../mod.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import type { ZkServer } from "./helpers/zk_server.ts";
import { eventually } from "./helpers/wait.ts";

describe("ServiceDiscovery on a real server", () => {
  const fx = useZooKeeper();
  let server: ZkServer;
  let registry: Registry;
  let discovery: ServiceDiscovery;
  let zk: ZooKeeper;

  before(async () => {
    server = fx.server;
    registry = await fx.registry();
    discovery = new ServiceDiscovery(registry);
    zk = await fx.connect();
  });

  it("register() writes Curator's JSON under /services/<service>/<id>, and instances() lists it", async () => {
    const a = await discovery.register("api", { address: "10.0.0.1", port: 8080, id: "a" });
    await discovery.register("api", {
      address: "10.0.0.2",
      port: 8080,
      sslPort: 8443,
      payload: { zone: "b" },
    });
    const raw = JSON.parse(new TextDecoder().decode((await zk.getData("/services/api/a")).data));
    assert.equal(raw.name, "api");
    assert.equal(raw.id, "a");
    assert.equal(raw.address, "10.0.0.1");
    assert.equal(raw.port, 8080);
    assert.equal(raw.serviceType, "DYNAMIC");
    assert.equal(typeof raw.registrationTimeUTC, "number");
    assert.equal(a.registrationTimeUTC, raw.registrationTimeUTC);
    const listed = await discovery.instances("api");
    assert.equal(listed.length, 2);
    const b = listed.find((i) => i.id !== "a")!;
    assert.deepEqual([b.address, b.sslPort, b.payload], ["10.0.0.2", 8443, { zone: "b" }]);
    assert.deepEqual(await discovery.services(), ["api"]);
  });

  it("instances are registry children, and plain registrations are instances", async () => {
    await discovery.register("mixed", { address: "10.1.0.1", port: 1, id: "curator" });
    await registry.setNode("/services/mixed/host9:8080", { foo: 1 });
    const snapshot = await registry.get("/services/mixed");
    assert.deepEqual(Object.keys(snapshot.children).sort(), ["curator", "host9:8080"]);
    const plain = (await discovery.instances("mixed")).find((i) => i.id === "host9:8080")!;
    assert.equal(plain.address, "host9");
    assert.equal(plain.port, 8080);
    assert.equal((plain.payload as { foo: number }).foo, 1);
  });

  it("unregister() removes an instance, and onChange() reports it", async () => {
    const seen: string[][] = [];
    await discovery.register("gone", { address: "h", id: "x" });
    await discovery.instances("gone");
    const off = discovery.onChange("gone", (list) => seen.push(list.map((i) => i.id)));
    await discovery.unregister("gone", "x");
    await eventually(() => seen.length === 1, "the change");
    assert.deepEqual(seen, [[]]);
    off();
  });

  it("instances go when the registering registry closes", async () => {
    const other = await Registry.connect({ servers: server.connectString });
    await new ServiceDiscovery(other).register("short", { address: "h", id: "y" });
    assert.equal((await discovery.instances("short")).length, 1);
    await other.close();
    await eventually(async () => (await discovery.instances("short")).length === 0, "removal");
  });

  it("providers pick by strategy: round robin cycles, random spreads, sticky keeps one", async () => {
    for (const id of ["1", "2", "3"]) {
      await discovery.register("pick", { address: `10.2.0.${id}`, id });
    }
    const ids = async (p: { getInstance(): Promise<ServiceInstance | undefined> }, n: number) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push((await p.getInstance())!.id);
      return out;
    };
    assert.deepEqual(await ids(discovery.provider("pick"), 6), ["1", "2", "3", "1", "2", "3"]);
    // 300 uniform picks of 3: each comes about 100 times (fewer than 50 has
    // a chance under 1e-9), and some pick repeats the one before, which a
    // cycle never does.
    const random = await ids(discovery.provider("pick", { strategy: "random" }), 300);
    const counts = new Map<string, number>();
    for (const id of random) counts.set(id, (counts.get(id) ?? 0) + 1);
    assert.deepEqual([...counts.keys()].sort(), ["1", "2", "3"]);
    for (const [id, n] of counts) assert.ok(n >= 50, `${id} picked ${n} times of 300`);
    assert.ok(random.some((id, i) => i > 0 && random[i - 1] === id), "never the same twice");
    const sticky = discovery.provider("pick", { strategy: "sticky" });
    const first = (await sticky.getInstance())!.id;
    assert.deepEqual(await ids(sticky, 5), Array(5).fill(first));
    await discovery.unregister("pick", first);
    await eventually(async () => (await discovery.instances("pick")).length === 2, "unregister");
    assert.notEqual((await sticky.getInstance())!.id, first);
  });

  it("filters and the down-instance policy leave instances out, and time brings them back", async () => {
    for (const id of ["a", "b"]) {
      await discovery.register("flaky", { address: id, id, payload: { healthy: id === "a" } });
    }
    const filtered = discovery.provider("flaky", {
      filters: [(i) => (i.payload as { healthy: boolean }).healthy],
    });
    assert.deepEqual((await filtered.getAllInstances()).map((i) => i.id), ["a"]);
    // Only time brings an instance back: the provider's own clock, moved here.
    const clock = new FakeClock();
    const provider = discovery.provider("flaky", {
      downInstancePolicy: { timeout: 300, errorThreshold: 2 },
      clock,
    });
    const [a] = await provider.getAllInstances();
    assert.equal(a.id, "a");
    provider.noteError(a);
    assert.deepEqual((await provider.getAllInstances()).map((i) => i.id), ["a", "b"]);
    provider.noteError(a);
    assert.deepEqual((await provider.getAllInstances()).map((i) => i.id), ["b"]);
    clock.advance(299);
    assert.deepEqual((await provider.getAllInstances()).map((i) => i.id), ["b"], "out at 299 ms");
    clock.advance(1);
    assert.deepEqual(
      (await provider.getAllInstances()).map((i) => i.id),
      ["a", "b"],
      "back at 300 ms",
    );
  });

  it("register() writes Curator's fields only, enabled included; providers skip a disabled instance", async () => {
    await discovery.register("strict", { address: "10.3.0.1", port: 80, id: "on" });
    const off = await discovery.register("strict", {
      address: "10.3.0.2",
      port: 80,
      id: "off",
      enabled: false,
    });
    const raw = JSON.parse(
      new TextDecoder().decode((await zk.getData("/services/strict/on")).data),
    );
    assert.deepEqual(Object.keys(raw).sort(), [
      "address",
      "enabled",
      "id",
      "name",
      "port",
      "registrationTimeUTC",
      "serviceType",
    ]);
    assert.equal(raw.enabled, true);
    const listed = await discovery.instances("strict");
    assert.deepEqual(listed.map((i) => [i.id, i.enabled]).sort(), [["off", false], ["on", true]]);
    const provider = discovery.provider("strict");
    assert.deepEqual((await provider.getAllInstances()).map((i) => i.id), ["on"]);
    await discovery.update({ ...off, enabled: true });
    await eventually(async () => (await provider.getAllInstances()).length === 2, "back in");
  });

  it("toInstance() strips Curator's @class from the payload and reads ndServiceRegistry's string_value as text", () => {
    const curator = toInstance("web", "j1", {
      name: "web",
      id: "j1",
      address: "127.0.0.1",
      port: 9090,
      sslPort: null,
      payload: { "@class": "java.util.HashMap", zone: "a" },
      registrationTimeUTC: 1,
      serviceType: "DYNAMIC",
      uriSpec: null,
      enabled: true,
    });
    assert.deepEqual(curator.payload, { zone: "a" });
    assert.equal(curator.enabled, true);
    assert.equal(curator.sslPort, undefined);
    const nd = toInstance("ssh", "host1:22", {
      pid: 8364,
      string_value: "my data",
      created: "2012-12-14 21:17:50",
    });
    assert.equal(nd.payload, "my data");
    assert.deepEqual([nd.address, nd.port], ["host1", 22]);
  });
});

describe("ServiceDiscovery while ZooKeeper is away", () => {
  it("instances() of a service nothing is known of rejects with CONNECTIONLOSS, not an empty list", async () => {
    await using offline = await Registry.connect({ servers: "127.0.0.1:1", lazy: true });
    const discovery = new ServiceDiscovery(offline);
    const away = (e: unknown) => ZooKeeperError.is(e, "CONNECTIONLOSS");
    await assert.rejects(discovery.instances("web"), away);
    await assert.rejects(discovery.provider("web").getInstance(), away);
  });
});
