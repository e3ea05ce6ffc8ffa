import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import {
  digestACL,
  type NodeSnapshot,
  Registry,
  type SnapshotChange,
  ZooKeeper,
  ZooKeeperError,
} from "../mod.ts";
import { requestCounter } from "./helpers/request_counter.ts";
import type { ZkServer } from "./helpers/zk_server.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually, settle, within } from "./helpers/wait.ts";

describe("Registry on a real server", () => {
  const fx = useZooKeeper();
  let server: ZkServer;
  let zk: ZooKeeper;

  before(async () => {
    server = fx.server;
    zk = await fx.connect();
  });

  it("setNode() registers an ephemeral node with the data, created, pid and hostname", async () => {
    await using registry = await Registry.connect({ servers: server.connectString });
    await registry.setNode("/services/ssh/server1:22", { foo: "bar" });
    const { data, stat } = await zk.getData("/services/ssh/server1:22");
    const value = JSON.parse(new TextDecoder().decode(data));
    assert.equal(value.foo, "bar");
    assert.match(value.created, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.equal(typeof value.pid, "number");
    assert.equal(typeof value.hostname, "string");
    assert.equal(stat.ephemeralOwner, registry.client?.sessionId);
  });

  it("get() returns path, data, stat and children decoded as the seed shows", async () => {
    await zk.create("/shape", "");
    await zk.create("/shape/json", JSON.stringify({ port: 22 }));
    await zk.create("/shape/text", "not json");
    await zk.create("/shape/empty");
    await using registry = await Registry.connect({ servers: server.connectString });
    const result = await registry.get("/shape");
    assert.deepEqual(Object.keys(result).sort(), ["children", "data", "path", "stale", "stat"]);
    assert.equal(result.path, "/shape");
    assert.equal(result.data, null);
    assert.equal(result.stale, false);
    assert.equal(result.stat?.numChildren, 3);
    assert.deepEqual({ ...result.children }, { empty: null, json: { port: 22 }, text: "not json" });
    const missing = await registry.get("/no-such-path");
    assert.deepEqual({ ...missing, children: { ...missing.children } }, {
      path: "/no-such-path",
      data: null,
      stat: null,
      children: {},
      stale: false,
    });
  });

  it("get() answers a hot lookup from the cache without a round trip", async () => {
    const counter = await requestCounter();
    await zk.create("/hot", "1");
    await using registry = await Registry.connect({
      servers: server.connectString,
      transport: counter.transport,
    });
    await registry.get("/hot");
    const before = counter.bytes;
    for (let i = 0; i < 100; i++) assert.equal((await registry.get("/hot")).data, 1);
    assert.equal(counter.bytes, before);
    await zk.setData("/hot", "2");
    await eventually(async () => (await registry.get("/hot")).data === 2, "the new data");
  });

  it("get() with a callback reports each change once: data, new child, child data, child gone", async () => {
    await zk.create("/cb", "v1");
    await using registry = await Registry.connect({ servers: server.connectString });
    const seen: NodeSnapshot[] = [];
    const changes: SnapshotChange[] = [];
    await registry.get("/cb", (s, change) => seen.push(s) && changes.push(change));
    await zk.setData("/cb", "v2");
    await eventually(() => seen.length === 1, "data change");
    await zk.create("/cb/a", JSON.stringify({ n: 1 }));
    await eventually(() => seen.length === 2, "child added");
    await zk.setData("/cb/a", JSON.stringify({ n: 2 }));
    await eventually(() => seen.length === 3, "child data change");
    await zk.delete("/cb/a");
    await eventually(() => seen.length === 4, "child removed");
    // Events, the cache's reads and their replies: nothing more comes.
    await settle(registry.client!, 2);
    assert.deepEqual(seen.map((s) => [s.data, { ...s.children }]), [
      ["v2", {}],
      ["v2", { a: { n: 1 } }],
      ["v2", { a: { n: 2 } }],
      ["v2", {}],
    ]);
    // Beside each result, what changed, and the same on the result itself.
    const none = { added: {}, updated: {}, removed: [], data: false };
    assert.deepEqual(
      changes.map((c) => ({ ...c, added: { ...c.added }, updated: { ...c.updated } })),
      [
        { ...none, data: true },
        { ...none, added: { a: { n: 1 } } },
        { ...none, updated: { a: { n: 2 } } },
        { ...none, removed: ["a"] },
      ],
    );
    assert.deepEqual(seen.map((s) => s.change), changes);
  });

  it("watch() yields the current result, then every change, and ends on break", async () => {
    await zk.create("/iter");
    await using registry = await Registry.connect({ servers: server.connectString });
    const seen: string[][] = [];
    const added: string[][] = [];
    const loop = (async () => {
      for await (const s of registry.watch("/iter")) {
        seen.push(Object.keys(s.children).sort());
        if (seen.length > 1) added.push(Object.keys(s.change?.added ?? {}));
        if (seen.length === 3) break;
      }
    })();
    await eventually(() => seen.length === 1, "the first result");
    await zk.create("/iter/a");
    await eventually(() => seen.length === 2, "a");
    await zk.create("/iter/b");
    await within(loop, "b");
    assert.deepEqual(seen, [[], ["a"], ["a", "b"]]);
    assert.deepEqual(added, [["a"], ["b"]]);
  });

  it("watch() ends on abort and on close", async () => {
    const registry = await Registry.connect({ servers: server.connectString });
    const controller = new AbortController();
    const aborted = (async () => {
      for await (const _ of registry.watch("/", { signal: controller.signal })) controller.abort();
    })();
    await aborted;
    let yielded!: () => void;
    const first = new Promise<void>((resolve) => yielded = resolve);
    const closed = (async () => {
      let n = 0;
      for await (const _ of registry.watch("/")) {
        n++;
        yielded();
      }
      return n;
    })();
    await within(first, "the first result");
    await registry.close();
    assert.equal(await closed, 1);
  });

  it("a callback that throws is reported and the registry carries on", async () => {
    const errors: unknown[] = [];
    await zk.create("/throwing", "1");
    await using registry = await Registry.connect({
      servers: server.connectString,
      onError: (e) => errors.push(e),
    });
    const good: unknown[] = [];
    await registry.get("/throwing", () => {
      throw new Error("callback bug");
    });
    registry.onChange("/throwing", (s) => good.push(s.data));
    await zk.setData("/throwing", "2");
    await eventually(() => good.length === 1, "the other callback");
    assert.match(String(errors[0]), /callback bug/);
  });

  it("a registration comes back after its session expires, with the same data", async () => {
    await using registry = await Registry.connect({
      servers: server.connectString,
      sessionTimeout: 4000,
    });
    await registry.setNode("/expiry/node", { role: "primary" });
    const first = await zk.getData("/expiry/node");
    const states: string[] = [];
    registry.onStateChange((s) => states.push(s.type));
    // Closing the session from another connection makes the server end it.
    const old = registry.client!;
    const thief = await ZooKeeper.connect(server.connectString, {
      session: { sessionId: old.sessionId, password: old.sessionPassword },
    });
    await thief.close();
    await eventually(
      async () => {
        const stat = await zk.exists("/expiry/node");
        return stat !== null && stat.ephemeralOwner !== old.sessionId;
      },
      "the node on a new session",
    );
    assert.ok(states.includes("expired"), `states: ${states}`);
    const second = await zk.getData("/expiry/node");
    assert.deepEqual(second.data, first.data);
    assert.equal(second.stat.ephemeralOwner, registry.client?.sessionId);
  });

  it("a node another live session holds is not taken: reported, then registered when it goes", async () => {
    const earlier = await ZooKeeper.connect(server.connectString);
    await earlier.create("/left", "");
    await earlier.create("/left/node", "old", { mode: "ephemeral" });
    const errors: unknown[] = [];
    await using registry = await Registry.connect({
      servers: server.connectString,
      onError: (e) => errors.push(e),
    });
    await registry.setNode("/left/node", { fresh: true });
    assert.equal((await zk.getData("/left/node")).stat.ephemeralOwner, earlier.sessionId);
    assert.equal(registry.registration("/left/node")?.state, "held");
    assert.equal(registry.registration("/left/node")?.owner, earlier.sessionId);
    assert.ok(
      errors.some((e) => ZooKeeperError.is(e, "NODEEXISTS") && e.message.includes("/left/node")),
      `errors: ${errors}`,
    );
    // Registered once the registry has read back the node it created.
    const registered = new Promise<void>((resolve) =>
      registry.onRegistrationChange((s) => s.state === "registered" && resolve())
    );
    await earlier.close();
    await registered;
    const { data, stat } = await zk.getData("/left/node");
    assert.equal(stat.ephemeralOwner, registry.client?.sessionId);
    assert.equal(JSON.parse(new TextDecoder().decode(data)).fresh, true);
    assert.equal(registry.registration("/left/node")?.state, "registered");
  });

  it("state false removes the node but keeps the registration; unset() forgets it", async () => {
    await using registry = await Registry.connect({ servers: server.connectString });
    await registry.setNode("/st/node", { a: 1 });
    await registry.setNode("/st/node", { a: 1 }, { state: false });
    assert.equal(await zk.exists("/st/node"), null);
    await registry.setNode("/st/node", { a: 2 });
    assert.ok(await zk.exists("/st/node"));
    await registry.unset("/st/node");
    assert.equal(await zk.exists("/st/node"), null);
  });

  it("a persistent registration outlives close(); unset() removes it; setData() writes JSON", async () => {
    const registry = await Registry.connect({ servers: server.connectString });
    await registry.setNode("/persist/node", { keep: true }, { ephemeral: false });
    assert.equal((await zk.exists("/persist/node"))?.ephemeralOwner, 0n);
    await registry.setData("/config/app", { level: "debug" });
    assert.deepEqual(
      JSON.parse(new TextDecoder().decode((await zk.getData("/config/app")).data)),
      { level: "debug" },
    );
    await registry.setNode("/persist/gone", { keep: false });
    await registry.close();
    // close() removes the ephemeral registrations and leaves persistent ones and data.
    assert.equal(await zk.exists("/persist/gone"), null);
    assert.equal((await zk.exists("/persist/node"))?.ephemeralOwner, 0n);
    assert.ok(await zk.exists("/config/app"));
    // unset() is how a persistent registration goes.
    const again = await Registry.connect({ servers: server.connectString });
    await again.setNode("/persist/node", { keep: true }, { ephemeral: false });
    await again.unset("/persist/node");
    assert.equal(await zk.exists("/persist/node"), null);
    await again.close();
  });

  it("a read-only registry refuses every write", async () => {
    await using registry = await Registry.connect({
      servers: server.connectString,
      readOnly: true,
    });
    for (
      const write of [
        registry.setNode("/ro/x"),
        registry.setData("/ro/x", 1),
        registry.unset("/ro/x"),
      ]
    ) {
      await assert.rejects(
        write,
        (e: unknown) =>
          e instanceof ZooKeeperError && e.code === "NOTREADONLY" && /read-only/.test(e.message),
      );
    }
    assert.equal(await zk.exists("/ro/x"), null);
  });

  it("stop() pauses and start() restores registrations and callbacks", async () => {
    await zk.create("/pause", "");
    await using registry = await Registry.connect({ servers: server.connectString });
    await registry.setNode("/pause/me", { x: 1 });
    const seen: string[][] = [];
    await registry.get("/pause", (s) => seen.push(Object.keys(s.children)));
    await registry.stop();
    assert.equal(registry.state.type, "stopped");
    await eventually(async () => (await zk.exists("/pause/me")) === null, "the node to go");
    await registry.start();
    await eventually(async () => (await zk.exists("/pause/me")) !== null, "the node to come back");
    await zk.create("/pause/other");
    await eventually(() => seen.some((c) => c.includes("other")), "the callback after start");
  });

  it("username and password let only that user change what it registers", async () => {
    await using registry = await Registry.connect({
      servers: server.connectString,
      username: "svc",
      password: "pw",
    });
    await registry.setNode("/secured/node", { a: 1 });
    await assert.rejects(
      zk.setData("/secured/node", "x"),
      (e: unknown) => e instanceof ZooKeeperError && e.code === "NOAUTH",
    );
    assert.ok((await zk.getData("/secured/node")).data.length > 0);
  });

  it("a callback added before the first session hears the first read", async () => {
    await zk.create("/early", "x");
    await zk.create("/early/a", "1");
    await using registry = await Registry.connect({ servers: server.connectString, lazy: true });
    assert.equal(registry.client, undefined);
    const seen: NodeSnapshot[] = [];
    registry.onChange("/early", (s) => seen.push(s));
    const iterated: NodeSnapshot[] = [];
    (async () => {
      for await (const s of registry.watch("/early")) iterated.push(s);
    })();
    await eventually(() => seen.length === 1, "the first read");
    assert.deepEqual({ ...seen[0].children }, { a: 1 });
    assert.equal(seen[0].stale, false);
    await eventually(() => iterated.at(-1)?.stale === false, "the iterator's first read");
    assert.deepEqual({ ...iterated.at(-1)!.children }, { a: 1 });
  });

  it("get() of a node the registry may not read rejects with NOAUTH, and asks again next time", async () => {
    await zk.create("/unreadable", "secret", { acl: [await digestACL("owner", "pw")] });
    const errors: unknown[] = [];
    await using registry = await Registry.connect({
      servers: server.connectString,
      onError: (e) => errors.push(e),
    });
    const noAuth = (e: unknown) => ZooKeeperError.is(e, "NOAUTH") && e.path === "/unreadable";
    await assert.rejects(registry.get("/unreadable"), noAuth);
    await assert.rejects(registry.get("/unreadable"), noAuth);
    const iterator = registry.watch("/unreadable");
    await assert.rejects(iterator.next(), noAuth);
    assert.deepEqual(errors, []);
  });

  it("connect() without lazy fails clearly when ZooKeeper is unreachable", async () => {
    await assert.rejects(
      Registry.connect({ servers: "127.0.0.1:1", connectTimeout: 1000 }),
      (e: unknown) =>
        e instanceof ZooKeeperError && e.code === "CONNECTIONLOSS" &&
        /Cannot connect to ZooKeeper at "127.0.0.1:1"/.test(e.message),
    );
  });

  it("a rate limit lets a burst pass and then spaces calls", async () => {
    await using registry = await Registry.connect({
      servers: server.connectString,
      rateLimit: { calls: 2, period: 300 },
    });
    // Real time, as a lower bound: the limiter on a live session, whose
    // spacing is timed exactly on the fake clock in registry_timing_test.ts.
    const start = Date.now();
    for (let i = 0; i < 3; i++) await registry.setData("/limited", i);
    // Four calls (the first write also creates the node): two beyond the burst,
    // each waiting 150 ms for its token.
    assert.ok(Date.now() - start >= 250, `took ${Date.now() - start} ms`);
  });

  it("aborting the signal closes the registry and removes its registrations", async () => {
    const controller = new AbortController();
    const registry = await Registry.connect({
      servers: server.connectString,
      signal: controller.signal,
    });
    await registry.setNode("/aborted/node", { a: 1 });
    assert.ok(await zk.exists("/aborted/node"));
    controller.abort();
    await eventually(() => registry.state.type === "closed", "the registry to close");
    await eventually(async () => (await zk.exists("/aborted/node")) === null, "the node to go");
    await assert.rejects(
      registry.setNode("/aborted/other"),
      (e: unknown) => e instanceof ZooKeeperError && e.code === "CLOSED",
    );
  });
});
