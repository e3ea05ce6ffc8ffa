import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { type NodeSnapshot, Registry, type RegistryOptions, ZooKeeper } from "../mod.ts";
import { type FaultProxy, startFaultProxy } from "./helpers/fault_proxy.ts";
import { type RequestCounter, requestCounter } from "./helpers/request_counter.ts";
import type { ZkServer } from "./helpers/zk_server.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually } from "./helpers/wait.ts";

const SIZE = 30;
const encoder = new TextEncoder();
const json = (value: unknown) => encoder.encode(JSON.stringify(value));

/** What a fresh read of the service gives, in the snapshot's shape. */
async function freshRead(zk: ZooKeeper, path: string) {
  const names = (await zk.getChildren(path)).sort();
  const children: Record<string, unknown> = Object.create(null);
  for (const name of names) {
    const { data } = await zk.getData(`${path}/${name}`);
    children[name] = JSON.parse(new TextDecoder().decode(data));
  }
  return children;
}

describe("The registry's cache on a real server", () => {
  const fx = useZooKeeper();
  let server: ZkServer;
  let zk: ZooKeeper;
  let counter: RequestCounter;
  let n = 0;

  before(async () => {
    server = fx.server;
    zk = await fx.connect();
    counter = await requestCounter();
  });

  /** A service of SIZE instances at a new path. */
  async function service(): Promise<string> {
    const path = `/svc${++n}`;
    await zk.create(path, json({ service: n }));
    await Promise.all(
      Array.from({ length: SIZE }, (_, i) => zk.create(`${path}/i${i}`, json({ i, v: 0 }))),
    );
    return path;
  }

  /** Runs `change`, waits for the callback, returns the requests it cost. */
  async function cost(
    registry: Registry,
    seen: NodeSnapshot[],
    change: () => Promise<unknown>,
  ): Promise<Record<string, number>> {
    const before = seen.length;
    counter.reset();
    await change();
    await eventually(() => seen.length > before, "the callback");
    // Anything else the change would cost is sent by now.
    await counter.settle(registry.client!);
    return counter.counts();
  }

  async function follow(options: RegistryOptions = {}) {
    const registry = await Registry.connect({
      servers: server.connectString,
      transport: counter.transport,
      ...options,
    });
    return registry;
  }

  it("with persistent watches a change costs one read of what changed, a removal one exists", async () => {
    const path = await service();
    await using registry = await follow();
    const seen: NodeSnapshot[] = [];
    await registry.get(path, (s) => seen.push(s));

    assert.deepEqual(
      await cost(registry, seen, () => zk.setData(`${path}/i3`, json({ i: 3, v: 1 }))),
      {
        getData: 1,
      },
    );
    assert.deepEqual(seen.at(-1)!.children.i3, { i: 3, v: 1 });
    assert.deepEqual(await cost(registry, seen, () => zk.create(`${path}/new`, json({ i: 99 }))), {
      getData: 1,
    });
    assert.deepEqual(seen.at(-1)!.children.new, { i: 99 });
    // A removal reads nothing but an `exists` after it: the events of its
    // transaction have all come before its reply.
    assert.deepEqual(await cost(registry, seen, () => zk.delete(`${path}/i0`)), { exists: 1 });
    assert.equal("i0" in seen.at(-1)!.children, false);
    assert.deepEqual(
      await cost(registry, seen, () => zk.setData(path, json({ service: "renamed" }))),
      {
        getData: 1,
      },
    );
    assert.deepEqual(seen.at(-1)!.data, { service: "renamed" });
    assert.equal(seen.length, 4);
    assert.deepEqual(seen.at(-1)!.children, await freshRead(zk, path));
  });

  it("with one-shot watches (forced) a change costs at most two requests, a removal one", async () => {
    const path = await service();
    await using registry = await follow({ persistentWatches: false });
    const seen: NodeSnapshot[] = [];
    await registry.get(path, (s) => seen.push(s));

    assert.deepEqual(
      await cost(registry, seen, () => zk.setData(`${path}/i3`, json({ i: 3, v: 1 }))),
      {
        getData: 1,
      },
    );
    assert.deepEqual(await cost(registry, seen, () => zk.create(`${path}/new`, json({ i: 99 }))), {
      getChildren: 1,
      getData: 1,
    });
    // The listing asked for the child-list event holds back the deletion
    // too, unless the two events come apart (an exists then).
    const removal = await cost(registry, seen, () => zk.delete(`${path}/i0`));
    assert.equal(removal.getChildren, 1);
    assert.ok((removal.exists ?? 0) <= 1, JSON.stringify(removal));
    assert.deepEqual(await cost(registry, seen, () => zk.setData(path, json({ service: 2 }))), {
      getData: 1,
    });
    assert.equal(seen.length, 4);
    assert.deepEqual(seen.at(-1)!.children, await freshRead(zk, path));
    assert.deepEqual(seen.at(-1)!.data, { service: 2 });
  });

  it("a names-only lookup costs nothing for a child's data, and one exists for an addition or removal", async () => {
    const path = await service();
    await using registry = await follow();
    const seen: NodeSnapshot[] = [];
    const first = await registry.get(path, (s) => seen.push(s), { childData: false });
    assert.equal(Object.keys(first.children).length, SIZE);
    assert.equal(first.children.i1, null);

    counter.reset();
    await zk.setData(`${path}/i1`, json({ changed: true }));
    await zk.sync(path);
    await counter.settle(registry.client!);
    assert.equal(counter.total(), 0);
    assert.equal(seen.length, 0);
    assert.deepEqual(await cost(registry, seen, () => zk.create(`${path}/new`)), { exists: 1 });
    assert.deepEqual(await cost(registry, seen, () => zk.delete(`${path}/new`)), { exists: 1 });
    assert.deepEqual(Object.keys(seen.at(-1)!.children), Object.keys(first.children));
  });

  it("lookups of one path share one cache", async () => {
    const path = await service();
    await using registry = await follow();
    const a: NodeSnapshot[] = [];
    const b: NodeSnapshot[] = [];
    await registry.get(path, (s) => a.push(s));
    counter.reset();
    await registry.get(path, (s) => b.push(s));
    registry.onChange(path, () => {});
    assert.equal(counter.total(), 0);
    assert.deepEqual(await cost(registry, b, () => zk.setData(`${path}/i2`, json({ v: 2 }))), {
      getData: 1,
    });
    assert.equal(a.length, 1);
  });

  it("a burst of changes ends on the last value, callbacks in zxid order", async () => {
    const path = await service();
    await using registry = await follow();
    const values: number[] = [];
    await registry.get(path, (s) => values.push((s.children.i5 as { v: number }).v));
    for (let v = 1; v <= 40; v++) zk.setData(`${path}/i5`, json({ i: 5, v }));
    await eventually(() => values.at(-1) === 40, "the last value");
    assert.ok(values.length <= 40);
    assert.deepEqual(values, [...values].sort((x, y) => x - y));
    assert.equal(new Set(values).size, values.length);
  });

  it("releasing the last listener removes the path's watches from the server", async () => {
    const path = await service();
    await using registry = await follow();
    const stop = registry.onChange(path, () => {});
    const iterator = registry.watch(path);
    await iterator.next();
    const watched = async () => {
      const reply = await server.fourLetter("wchc");
      return reply.includes(path);
    };
    await eventually(watched, "the watches");
    stop();
    assert.ok(await watched(), "still followed by the iterator");
    await iterator.return!();
    await eventually(async () => !(await watched()), "no watch left");
  });

  it("a session expiry reads everything again, and reports what changed once", async () => {
    const path = await service();
    await using registry = await follow({ sessionTimeout: 4000 });
    const seen: NodeSnapshot[] = [];
    await registry.get(path, (s) => seen.push(s));
    const states: string[] = [];
    registry.onStateChange((s) => states.push(s.type));
    const old = registry.client!;
    const thief = await ZooKeeper.connect(server.connectString, {
      session: { sessionId: old.sessionId, password: old.sessionPassword },
    });
    await thief.close();
    await eventually(() => states.includes("expired"), "the expiry");
    await zk.delete(`${path}/i7`);
    await zk.setData(`${path}/i8`, json({ i: 8, v: 8 }));
    // The new session may read before or after the second change.
    const fresh = await freshRead(zk, path);
    await eventually(
      () => isDeepStrictEqual(seen.at(-1)?.children, fresh),
      "the state a fresh read gives",
    );
    assert.ok(seen.length <= 2, `${seen.length} callbacks`);
    // Then the new session follows changes as before.
    const before = seen.length;
    await zk.delete(`${path}/i9`);
    await eventually(() => seen.length === before + 1, "a change on the new session");
    assert.equal("i9" in seen.at(-1)!.children, false);
  });
});

describe("The registry's cache across a cut connection", () => {
  const fx = useZooKeeper();
  let server: ZkServer;
  let proxy: FaultProxy;
  let zk: ZooKeeper;
  let counter: RequestCounter;

  before(async () => {
    server = fx.server;
    proxy = await startFaultProxy({ host: server.host, port: server.port });
    fx.defer(() => proxy.close());
    zk = await fx.connect();
    counter = await requestCounter();
  });

  for (const persistentWatches of [true, false]) {
    const mode = persistentWatches ? "persistent" : "one-shot";
    it(`a resync (${mode} watches) costs what changed while away, not the size of the service`, async () => {
      const path = `/cut-${mode}`;
      await zk.create(path);
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => zk.create(`${path}/i${i}`, json({ i }))),
      );
      await using registry = await Registry.connect({
        servers: proxy.address,
        transport: counter.transport,
        sessionTimeout: 10_000,
        persistentWatches,
      });
      const seen: NodeSnapshot[] = [];
      await registry.get(path, (s) => seen.push(s));
      let reconnects = 0;
      registry.onStateChange((s) => s.type === "reconnected" && reconnects++);

      // Nothing changed: the watches go back in one SetWatches, and the
      // persistent mode lists the children once, with the node's Stat.
      counter.reset();
      proxy.cut();
      await eventually(() => reconnects === 1, "the reconnect");
      await counter.settle(registry.client!);
      const quiet = counter.counts();
      const setWatches = (quiet.setWatches ?? 0) + (quiet.setWatches2 ?? 0);
      assert.equal(setWatches, 1, JSON.stringify(quiet));
      assert.equal(counter.total() - setWatches, persistentWatches ? 1 : 0, JSON.stringify(quiet));
      assert.equal(seen.length, 0);

      // Two data changes, an addition, a removal and the node's own data
      // while away.
      await proxy.refuse(true);
      proxy.cut();
      await zk.setData(path, json({ node: 2 }));
      await zk.setData(`${path}/i1`, json({ i: 1, v: 1 }));
      await zk.setData(`${path}/i2`, json({ i: 2, v: 1 }));
      await zk.create(`${path}/new`, json({ i: 100 }));
      await zk.delete(`${path}/i3`);
      counter.reset();
      await proxy.refuse(false);
      await eventually(() => reconnects === 2, "the second reconnect");
      await eventually(
        () => seen.length >= 1 && "new" in seen.at(-1)!.children && seen.at(-1)!.data !== null,
        "the changes",
      );
      await counter.settle(registry.client!);
      const changed = counter.counts();
      assert.ok(counter.total("getData") <= 4, JSON.stringify(changed));
      assert.ok(counter.total() <= 7, JSON.stringify(changed));
      assert.deepEqual(seen.at(-1)!.children, await freshRead(zk, path));
      assert.deepEqual(seen.at(-1)!.data, { node: 2 });
    });
  }
});
