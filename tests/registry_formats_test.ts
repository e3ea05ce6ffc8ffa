import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import {
  type JsonValue,
  type RegistrationStatus,
  Registry,
  ServiceDiscovery,
  type SetNodeOptions,
  toInstance,
  ZooKeeper,
  ZooKeeperError,
} from "../mod.ts";
import { main } from "../src/cli/main.ts";
import type { ZkServer } from "./helpers/zk_server.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually } from "./helpers/wait.ts";

const decoder = new TextDecoder();
const SERVERSET: SetNodeOptions = { format: "serverset" };
const NERVE: SetNodeOptions = { format: "nerve" };

describe("toInstance() reads serverset and Nerve members", () => {
  it("a serverset member is an instance at its service endpoint, enabled while ALIVE", () => {
    const data = {
      serviceEndpoint: { host: "10.0.0.1", port: 8080 },
      additionalEndpoints: {},
      status: "ALIVE",
    };
    const instance = toInstance("web", "member_0000000001", data);
    assert.deepEqual(
      [instance.name, instance.id, instance.address, instance.port, instance.enabled],
      ["web", "member_0000000001", "10.0.0.1", 8080, true],
    );
    assert.deepEqual(instance.payload, data);
    assert.equal(toInstance("web", "m", { ...data, status: "STOPPING" }).enabled, false);
  });

  it("serverset field names match case-insensitively, as Prometheus reads them", () => {
    const data = { ServiceEndpoint: { Host: "h1", PORT: 81 }, Status: "ALIVE" };
    const instance = toInstance("web", "m", data);
    assert.deepEqual([instance.address, instance.port, instance.enabled], ["h1", 81, true]);
  });

  it("a Nerve entry is an instance at its host and port", () => {
    const instance = toInstance("web", "i-1_web", { host: "10.0.0.2", port: 9000, name: "web" });
    assert.deepEqual([instance.address, instance.port, instance.enabled], ["10.0.0.2", 9000, true]);
  });
});

describe("setNode() with a format, on a real server", () => {
  // Empty containers go within 100 ms, not a minute.
  const fx = useZooKeeper({ jvmFlags: ["-Dznode.container.checkIntervalMs=100"] });
  let server: ZkServer;
  let registry: Registry;
  let zk: ZooKeeper;
  const errors: unknown[] = [];

  before(async () => {
    server = fx.server;
    registry = await fx.registry({ onError: (e) => errors.push(e) });
    zk = await fx.connect();
  });

  const text = async (path: string) => decoder.decode((await zk.getData(path)).data);

  it("serverset writes exactly Finagle's member JSON in an ephemeral node", async () => {
    await registry.setNode("/fmt/ss/web/m1", {
      host: "10.0.0.1",
      port: 8080,
      endpoints: { "admin-http": { host: "10.0.0.1", port: 9990 } },
      shard: 0,
    }, SERVERSET);
    assert.equal(
      await text("/fmt/ss/web/m1"),
      '{"serviceEndpoint":{"host":"10.0.0.1","port":8080},' +
        '"additionalEndpoints":{"admin-http":{"host":"10.0.0.1","port":9990}},' +
        '"status":"ALIVE","shard":0}',
    );
    assert.equal((await zk.exists("/fmt/ss/web/m1"))?.ephemeralOwner, registry.client?.sessionId);
    for (const host of ["fe80::1%eth0", "::ffff:10.0.0.1", "2001:db8::8:800:200c:417a"]) {
      await registry.setNode("/fmt/ss/web/v6", { host, port: 1 }, SERVERSET);
      assert.equal(JSON.parse(await text("/fmt/ss/web/v6")).serviceEndpoint.host, host);
    }
    await registry.unset("/fmt/ss/web/v6");
    await registry.setNode("/fmt/ss/web/m2", { host: "::1", port: 1 }, SERVERSET);
    assert.equal(
      await text("/fmt/ss/web/m2"),
      '{"serviceEndpoint":{"host":"::1","port":1},"additionalEndpoints":{},"status":"ALIVE"}',
    );
  });

  it("nerve writes host, port and the service's name, or the given name, weight and labels", async () => {
    await registry.setNode("/fmt/nerve/web/i1", { host: "10.0.0.2", port: 9000 }, NERVE);
    assert.equal(await text("/fmt/nerve/web/i1"), '{"host":"10.0.0.2","port":9000,"name":"web"}');
    await registry.setNode("/fmt/nerve/web/i2", {
      host: "h2",
      port: 9001,
      name: "www",
      weight: 5,
      labels: { zone: "a" },
    }, NERVE);
    assert.equal(
      await text("/fmt/nerve/web/i2"),
      '{"host":"h2","port":9001,"name":"www","weight":5,"labels":{"zone":"a"}}',
    );
  });

  it("bad data is refused with BADARGUMENTS before anything is written", async () => {
    await registry.setNode("/fmt/bad/kept", { host: "h", port: 80 }, SERVERSET);
    const before = await text("/fmt/bad/kept");
    const cases: [Record<string, JsonValue>, SetNodeOptions, RegExp][] = [
      [{ port: 80 }, SERVERSET, /no host/],
      [{ host: "a b", port: 80 }, SERVERSET, /invalid host "a b"/],
      [{ host: "", port: 80 }, NERVE, /invalid host ""/],
      [{ host: "10.0.0.1:80", port: 80 }, NERVE, /invalid host "10.0.0.1:80"/],
      [{ host: "[::1]", port: 80 }, SERVERSET, /invalid host "\[::1\]"/],
      [{ host: "h" }, SERVERSET, /no port/],
      [{ host: "h", port: "80" }, SERVERSET, /invalid port "80"/],
      [{ host: "h", port: 70000 }, NERVE, /invalid port 70000/],
      [{ host: "h", port: 80.5 }, SERVERSET, /invalid port 80.5/],
      [{ host: "h", port: 80, shard: 1.5 }, SERVERSET, /shard 1.5 is not an integer/],
      [{ host: "h", port: 80, shard: "1" }, SERVERSET, /shard "1" is not an integer/],
      [{ host: "h", port: 80, weight: 1 }, SERVERSET, /unknown field "weight"/],
      [
        { host: "h", port: 80, endpoints: { a: { host: "h" } } },
        SERVERSET,
        /endpoint "a" has no port/,
      ],
      [{ host: "h", port: 80, endpoints: [] }, SERVERSET, /endpoints must be an object/],
      [{ host: "h", port: 80, labels: { a: 1 } }, NERVE, /label "a" is not a string/],
      [{ host: "h", port: 80, shard: 1 }, NERVE, /unknown field "shard"/],
      [{ host: "h", port: 80 }, { format: "zk" as "nerve" }, /unknown format "zk"/],
      [{ host: "h", port: 80 }, { ...SERVERSET, metadata: true }, /no room for metadata/],
    ];
    for (const [data, options, message] of cases) {
      for (const path of ["/fmt/bad/new", "/fmt/bad/kept"]) {
        await assert.rejects(
          registry.setNode(path, data, options),
          (error: unknown) =>
            error instanceof ZooKeeperError && error.code === "BADARGUMENTS" &&
            error.path === path && message.test(error.message),
          `${JSON.stringify(data)} ${options.format}`,
        );
      }
    }
    assert.equal(await zk.exists("/fmt/bad/new"), null);
    assert.equal(registry.registration("/fmt/bad/new"), undefined);
    assert.equal(await text("/fmt/bad/kept"), before);
    assert.equal(registry.registration("/fmt/bad/kept")?.state, "registered");
  });

  it("a Nerve entry right under / needs a name", async () => {
    await assert.rejects(
      registry.setNode("/fmt-top", { host: "h", port: 80 }, NERVE),
      /needs a name/,
    );
    await registry.setNode("/fmt-top", { host: "h", port: 80, name: "top" }, NERVE);
    assert.equal(JSON.parse(await text("/fmt-top")).name, "top");
    await registry.unset("/fmt-top");
  });

  it("a member is repaired like any registration: rewritten, and created again when deleted", async () => {
    const path = "/fmt/repair/web/m1";
    await registry.setNode(path, { host: "h", port: 80 }, SERVERSET);
    const wanted = await text(path);
    await zk.setData(path, '{"serviceEndpoint":{"host":"evil","port":1}}');
    await eventually(async () => (await text(path).catch(() => "")) === wanted, "the rewrite");
    await zk.delete(path);
    await eventually(async () => (await text(path).catch(() => "")) === wanted, "the new node");
  });

  it("a failing health check keeps the member out; drain removes it", async () => {
    let healthy = false;
    const statuses: RegistrationStatus[] = [];
    const off = registry.onRegistrationChange((s) => statuses.push(s));
    await registry.setNode("/fmt/health/web/m1", { host: "h", port: 80 }, {
      ...SERVERSET,
      check: () => healthy,
    });
    assert.equal(registry.registration("/fmt/health/web/m1")?.state, "unhealthy");
    assert.equal(await zk.exists("/fmt/health/web/m1"), null);
    healthy = true;
    await registry.setNode("/fmt/health/web/m1", { host: "h", port: 80 }, {
      ...SERVERSET,
      check: () => healthy,
    });
    assert.equal(JSON.parse(await text("/fmt/health/web/m1")).status, "ALIVE");
    off();
    assert.ok(statuses.some((s) => s.state === "unhealthy"));

    await using other = await Registry.connect({ servers: server.connectString });
    await other.setNode("/fmt/drain/web/m1", { host: "h", port: 80 }, NERVE);
    await other.drain({ grace: 0 });
    assert.equal(await zk.exists("/fmt/drain/web/m1"), null);
    assert.equal((await zk.exists("/fmt/drain/web"))?.ephemeralOwner, 0n, "the parent stays");
  });

  it("a member comes back after its session expires", async () => {
    await using other = await Registry.connect({ servers: server.connectString });
    await other.setNode("/fmt/expiry/web/m1", { host: "h", port: 80 }, SERVERSET);
    // Closing the session from another connection makes the server end it.
    const old = other.client!;
    const thief = await ZooKeeper.connect(server.connectString, {
      session: { sessionId: old.sessionId, password: old.sessionPassword },
    });
    await thief.close();
    await eventually(async () => {
      const stat = await zk.exists("/fmt/expiry/web/m1");
      return stat !== null && stat.ephemeralOwner !== old.sessionId;
    }, "the member on the new session");
    assert.equal(JSON.parse(await text("/fmt/expiry/web/m1")).serviceEndpoint.host, "h");
  });

  it("the parents stay, persistent, when the last member leaves", async () => {
    await registry.setNode("/fmt/last/web/m1", { host: "h", port: 80 }, SERVERSET);
    // A client cannot tell a container from a persistent node by its Stat
    // (the server reports owner 0 for both): an empty container the server
    // deletes shows that its cleanup ran after the member left.
    await zk.create("/fmt/canary", undefined, { mode: "container" });
    await zk.create("/fmt/canary/child");
    await registry.unset("/fmt/last/web/m1");
    await zk.delete("/fmt/canary/child");
    await eventually(
      async () => (await zk.exists("/fmt/canary")) === null,
      "the container cleanup",
    );
    assert.equal(await zk.exists("/fmt/last/web/m1"), null);
    const parent = await zk.exists("/fmt/last/web");
    assert.ok(parent !== null, "the parent is kept");
    assert.equal(parent.ephemeralOwner, 0n, "the parent is not ephemeral");
  });

  it("ServiceDiscovery lists serverset and Nerve members with address and port", async () => {
    await registry.setNode("/services/mixed/ss", { host: "10.1.0.1", port: 81 }, SERVERSET);
    await registry.setNode("/services/mixed/nv", { host: "10.1.0.2", port: 82 }, NERVE);
    const discovery = new ServiceDiscovery(registry);
    const found = (await discovery.instances("mixed")).map((i) => [i.id, i.address, i.port]);
    assert.deepEqual(found.sort(), [["nv", "10.1.0.2", 82], ["ss", "10.1.0.1", 81]]);
    const picked = await discovery.provider("mixed").getAllInstances();
    assert.equal(picked.length, 2);
  });

  it("the CLI registers with --format serverset, and refuses bad data before connecting", async () => {
    let out = "";
    let err = "";
    const io = (signal?: AbortSignal) => ({
      env: {},
      stdout: { write: (t: string) => out += t },
      stderr: { write: (t: string) => err += t },
      signal,
    });
    const stop = new AbortController();
    const path = "/fmt/cli/web/m1";
    const running = main([
      "register",
      path,
      '{"host":"10.0.0.9","port":8080}',
      "--format",
      "serverset",
      "--json",
      "--servers",
      server.connectString,
    ], io(stop.signal));
    await eventually(() => out.includes("\n"), "the registration printed");
    assert.deepEqual(JSON.parse(out).data.serviceEndpoint, { host: "10.0.0.9", port: 8080 });
    assert.equal(JSON.parse(await text(path)).status, "ALIVE");
    stop.abort();
    assert.equal(await running, 130, `stopped by the signal, as by Ctrl-C: ${err}`);
    assert.equal(await zk.exists(path), null);

    // An unreachable server: refused before any connection is tried.
    const unreachable = ["--servers", "127.0.0.1:1", "--timeout", "100"];
    const bad = await main(
      ["register", path, '{"host":"h"}', "--format", "nerve", ...unreachable],
      io(),
    );
    assert.equal(bad, 2);
    assert.match(err, /as a nerve member: it has no port/);
    assert.equal(await main(["get", "/", "--format", "serverset", ...unreachable], io()), 2);
    assert.match(err, /only register takes it/);
  });
});
