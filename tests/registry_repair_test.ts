import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import { createServer as createTcpServer, type Server } from "node:net";
import {
  type RegistrationStatus,
  Registry,
  type RegistryState,
  type ZooKeeper,
  ZooKeeperError,
} from "../mod.ts";
import { freePort, type ZkServer } from "./helpers/zk_server.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { startFaultProxy } from "./helpers/fault_proxy.ts";
import { requestCounter } from "./helpers/request_counter.ts";
import { eventually, nextState, settle } from "./helpers/wait.ts";

const decoder = new TextDecoder();

function listening(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
  });
}

describe("Registrations that look after themselves, on a real server", () => {
  const fx = useZooKeeper();
  let server: ZkServer;
  let zk: ZooKeeper;

  before(async () => {
    server = fx.server;
    zk = await fx.connect();
  });

  async function dataOf(path: string): Promise<Record<string, unknown>> {
    return JSON.parse(decoder.decode((await zk.getData(path)).data));
  }

  it("a node someone else deletes is created again, with the same data", async () => {
    await using registry = await Registry.connect({ servers: server.connectString });
    await registry.setNode("/repair/deleted", { port: 22 });
    await zk.delete("/repair/deleted");
    await eventually(async () => (await zk.exists("/repair/deleted")) !== null, "the node back");
    assert.equal((await dataOf("/repair/deleted")).port, 22);
    assert.equal(
      (await zk.exists("/repair/deleted"))?.ephemeralOwner,
      registry.client?.sessionId,
    );
    await eventually(
      () => registry.registration("/repair/deleted")?.state === "registered",
      "registered",
    );
  });

  it("data someone else writes is written again after a short wait", async () => {
    await using registry = await Registry.connect({ servers: server.connectString });
    await registry.setNode("/repair/written", { port: 22 });
    await zk.setData("/repair/written", "overwritten");
    await eventually(
      async () =>
        (await dataOf("/repair/written").catch((): Record<string, unknown> => ({}))).port === 22,
      "the data back",
    );
    assert.equal(registry.registration("/repair/written")?.state, "registered");
  });

  it("after a few lost rounds against a writer it gives up, reports the conflict, and setNode takes it back", async () => {
    const errors: unknown[] = [];
    const seen: RegistrationStatus[] = [];
    await using registry = await Registry.connect({
      servers: server.connectString,
      onError: (e) => errors.push(e),
    });
    registry.onRegistrationChange((status) => seen.push(status));
    await registry.setNode("/repair/fight", { mine: true }, { ephemeral: false });
    // A stubborn writer puts its own data back whenever it sees ours.
    let rewrites = 0;
    const fight = async () => {
      const { data } = await zk.getData("/repair/fight", {
        watch: () => fighting && fight().catch(() => {}),
      });
      if (fighting && decoder.decode(data) !== "theirs") {
        rewrites++;
        await zk.setData("/repair/fight", "theirs");
      }
    };
    let fighting = true;
    await fight();
    await eventually(
      () => registry.registration("/repair/fight")?.state === "conflict",
      "the conflict",
    );
    const conflict = errors.find((e) => ZooKeeperError.is(e) && e.path === "/repair/fight");
    assert.ok(conflict instanceof ZooKeeperError, `errors: ${errors}`);
    assert.match(conflict.message, /changed by someone else/);
    assert.ok(seen.some((s) => s.path === "/repair/fight" && s.state === "conflict"));
    const settled = rewrites;
    assert.ok(settled <= 5, `the writer rewrote ${settled} times`);
    // Given up: no write of the registry is on its way (a barrier on both
    // sessions); that no repair timer is left is shown on the fake clock in
    // repair_timing_test.ts.
    await settle(registry.client!, 2);
    await settle(zk, 2);
    assert.equal(rewrites, settled, "no more rounds once given up");
    assert.equal(decoder.decode((await zk.getData("/repair/fight")).data), "theirs");
    fighting = false;
    await registry.setNode("/repair/fight", { mine: true }, { ephemeral: false });
    assert.equal((await dataOf("/repair/fight")).mine, true);
    assert.equal(registry.registration("/repair/fight")?.state, "registered");
    await registry.unset("/repair/fight");
  });

  it("two live registries on one path: the second waits, reports, and takes over when the first closes", async () => {
    const errors: unknown[] = [];
    const first = await Registry.connect({ servers: server.connectString });
    // The second goes through a proxy, to cut its connection, and counts
    // what it asks the server.
    await using proxy = await startFaultProxy({ host: server.host, port: server.port });
    const counter = await requestCounter();
    await using second = await Registry.connect({
      servers: proxy.address,
      transport: counter.transport,
      onError: (e) => errors.push(e),
    });
    await first.setNode("/repair/shared", { who: "first" });
    await second.setNode("/repair/shared", { who: "second" });
    assert.equal(second.registration("/repair/shared")?.state, "held");
    assert.equal((await dataOf("/repair/shared")).who, "first");
    assert.ok(errors.some((e) => ZooKeeperError.is(e, "NODEEXISTS")), `errors: ${errors}`);
    // A reconnect makes the second look at its registrations again: it reads
    // the node, sees the first's session, and leaves it.
    counter.reset();
    const reconnected = nextState(second.client!, "reconnected");
    proxy.cut();
    await reconnected;
    await eventually(() => counter.total("getData") >= 1, "the second's pass after the reconnect");
    await settle(second.client!, 2);
    assert.equal(second.registration("/repair/shared")?.state, "held");
    assert.equal((await dataOf("/repair/shared")).who, "first");
    await first.close();
    await eventually(
      async () =>
        (await dataOf("/repair/shared").catch((): Record<string, unknown> => ({}))).who ===
          "second",
      "the second registry's node",
    );
    await eventually(
      () => second.registration("/repair/shared")?.state === "registered",
      "registered",
    );
  });

  it("a health check removes the node after `fall` failures and brings it back after `rise` passes", async () => {
    let up = true;
    let checks = 0;
    const seen: RegistrationStatus[] = [];
    await using registry = await Registry.connect({ servers: server.connectString });
    registry.onRegistrationChange((status) => seen.push(status));
    await registry.setNode("/health/fn", { port: 80 }, {
      check: () => {
        checks++;
        return Promise.resolve(up);
      },
      interval: 50,
      rise: 2,
      fall: 3,
    });
    assert.ok(await zk.exists("/health/fn"));
    assert.deepEqual(
      { ...registry.registration("/health/fn") },
      { path: "/health/fn", state: "registered", ephemeral: true, healthy: true },
    );
    up = false;
    const before = checks;
    await eventually(async () => (await zk.exists("/health/fn")) === null, "the node to go");
    assert.ok(checks - before >= 3, `${checks - before} checks before it went`);
    assert.equal(registry.registration("/health/fn")?.healthy, false);
    await eventually(() => registry.registration("/health/fn")?.state === "unhealthy", "unhealthy");
    up = true;
    await eventually(async () => (await zk.exists("/health/fn")) !== null, "the node back");
    await eventually(() => registry.registration("/health/fn")?.state === "registered", "back");
    assert.ok(seen.some((s) => s.healthy === false && s.state === "unhealthy"));
    assert.ok(seen.some((s) => s.healthy === true && s.state === "registered"));
  });

  it("a failing first check registers nothing; a check that throws or hangs fails", async () => {
    await using registry = await Registry.connect({ servers: server.connectString });
    await registry.setNode("/health/down", {}, { check: () => false, interval: 1000 });
    assert.equal(await zk.exists("/health/down"), null);
    assert.equal(registry.registration("/health/down")?.state, "unhealthy");
    await registry.setNode("/health/throws", {}, {
      check: () => Promise.reject(new Error("no")),
      interval: 1000,
    });
    assert.equal(await zk.exists("/health/throws"), null);
    await registry.setNode("/health/hangs", {}, {
      check: () => new Promise(() => {}),
      interval: 100,
    });
    assert.equal(await zk.exists("/health/hangs"), null);
    // A foreign create does not make repair fight for an unhealthy node.
    assert.equal(registry.registration("/health/hangs")?.healthy, false);
  });

  it("http and tcp checks pass while the endpoint answers", async () => {
    let status = 200;
    const http = createHttpServer((_req, res) => res.writeHead(status).end("ok"));
    const tcp = createTcpServer((socket) => socket.end());
    const httpPort = await listening(http);
    const tcpPort = await listening(tcp);
    try {
      await using registry = await Registry.connect({ servers: server.connectString });
      await registry.setNode("/health/http", {}, {
        check: { http: `http://127.0.0.1:${httpPort}/health` },
        interval: 100,
        timeout: 2000,
        rise: 1,
        fall: 1,
      });
      await registry.setNode("/health/tcp", {}, {
        check: { tcp: `127.0.0.1:${tcpPort}` },
        interval: 100,
        timeout: 2000,
        rise: 1,
        fall: 1,
      });
      const closed = await freePort();
      await registry.setNode("/health/tcp-closed", {}, {
        check: { tcp: `127.0.0.1:${closed}` },
        interval: 1000,
      });
      assert.ok(await zk.exists("/health/http"));
      assert.ok(await zk.exists("/health/tcp"));
      assert.equal(await zk.exists("/health/tcp-closed"), null);
      status = 503;
      await eventually(async () => (await zk.exists("/health/http")) === null, "http down");
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      await eventually(async () => (await zk.exists("/health/tcp")) === null, "tcp down");
      status = 200;
      await eventually(async () => (await zk.exists("/health/http")) !== null, "http up");
    } finally {
      http.closeAllConnections?.();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      if (tcp.listening) await new Promise<void>((resolve) => tcp.close(() => resolve()));
    }
  });

  it("drain() removes ephemeral registrations first, answers lookups during the grace, then closes", async () => {
    await zk.create("/drain", "");
    const registry = await Registry.connect({ servers: server.connectString });
    await registry.setNode("/drain/eph", { a: 1 });
    await registry.setNode("/drain/kept", { a: 1 }, { ephemeral: false });
    await registry.get("/drain");
    const draining = registry.drain({ grace: 600 });
    await eventually(async () => (await zk.exists("/drain/eph")) === null, "the node to go");
    assert.notEqual(registry.state.type, "closed");
    // Another client can see the node go before the registry has the reply.
    await eventually(
      () => registry.registration("/drain/eph")?.state === "removed",
      "the registration removed",
    );
    // The node is not put back by repair while draining: a deleted node is
    // created again at once (no timer), so a pass the deletion started has
    // sent its read and its create before two barriers come back.
    await settle(registry.client!, 2);
    assert.equal(await zk.exists("/drain/eph"), null);
    assert.deepEqual(Object.keys((await registry.get("/drain")).children), ["kept"]);
    await draining;
    assert.equal(registry.state.type, "closed");
    assert.ok(await zk.exists("/drain/kept"));
  });

  it("close({ drain }) drains before closing", async () => {
    const registry = await Registry.connect({ servers: server.connectString });
    await registry.setNode("/drain/close", {});
    // The grace's length is timed on the fake clock in registry_timing_test.ts.
    const closing = registry.close({ drain: { grace: 300 } });
    await eventually(async () => (await zk.exists("/drain/close")) === null, "the node to go");
    assert.notEqual(registry.state.type, "closed", "open through the grace");
    await closing;
    assert.equal(registry.state.type, "closed");
  });

  it("new Registry() throws a TypeError that names Registry.connect", () => {
    const Ctor = Registry as unknown as new (options: object) => Registry;
    assert.throws(
      () => new Ctor({ servers: server.connectString }),
      (e: unknown) => e instanceof TypeError && e.message.includes("Registry.connect"),
    );
  });

  it("an already-aborted signal gives a registry that is closed at once", async () => {
    const registry = await Registry.connect({
      servers: server.connectString,
      signal: AbortSignal.abort(),
    });
    assert.equal(registry.state.type, "closed");
    assert.equal(registry.client, undefined);
    await assert.rejects(
      registry.setNode("/aborted/early"),
      (e: unknown) => ZooKeeperError.is(e, "CLOSED"),
    );
  });

  it("errors of the background connection loop reach onError", async () => {
    const port = await freePort();
    const errors: unknown[] = [];
    const states: RegistryState[] = [];
    await using registry = await Registry.connect({
      servers: `127.0.0.1:${port}`,
      lazy: true,
      connectTimeout: 300,
      onError: (e) => errors.push(e),
    });
    registry.onStateChange((s) => states.push(s));
    await eventually(() => errors.length > 0, "an error of the loop", 10_000);
    assert.ok(errors[0] instanceof Error);
  });
});
