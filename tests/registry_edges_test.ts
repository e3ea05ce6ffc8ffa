import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import {
  digestACL,
  Lock,
  Registry,
  ServiceDiscovery,
  type ZooKeeper,
  ZooKeeperError,
} from "../mod.ts";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually } from "./helpers/wait.ts";
import { requestCounter } from "./helpers/request_counter.ts";

describe("Registry off the happy path", () => {
  const fx = useZooKeeper();

  it("a closed registry rejects every lookup with CLOSED", async () => {
    await using root = await fx.chroot();
    const registry = await Registry.connect({ servers: root.connectString });
    await registry.get("/");
    await registry.close();
    const closed = (error: unknown) => ZooKeeperError.is(error, "CLOSED");
    await assert.rejects(registry.get("/"), closed);
    await assert.rejects(registry.get("/other"), closed);
    await assert.rejects(registry.watch("/").next(), closed);
    assert.throws(() => registry.onChange("/", () => {}), closed);
  });

  it("Registry.connect() takes a connect string as its argument", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    await admin.create("/here", "1");
    await using registry = await Registry.connect(root.connectString);
    assert.equal((await registry.get("/here")).data, 1);
  });

  it("Registry.connect() rejects options of the wrong type at once with a TypeError", async () => {
    const bad = [42, null, true, { servers: 42 }, { sessionTimeout: "10" }];
    for (const options of bad) {
      await assert.rejects(
        // deno-lint-ignore no-explicit-any
        Registry.connect(options as any),
        TypeError,
        `Registry.connect(${JSON.stringify(options)})`,
      );
    }
  });

  it("async methods reject bad paths instead of throwing", async () => {
    await using root = await fx.chroot();
    await using registry = await Registry.connect({ servers: root.connectString });
    const bad = (error: unknown) => ZooKeeperError.is(error, "BADARGUMENTS");
    const calls: (() => Promise<unknown>)[] = [
      () => registry.get("relative"),
      () => registry.setNode("relative"),
      () => registry.setData("relative", 1),
      () => registry.unset("relative"),
      () => registry.acquireLock("relative"),
      () => registry.releaseLock("relative"),
    ];
    for (const call of calls) {
      let promise: Promise<unknown> | undefined;
      assert.doesNotThrow(() => promise = call());
      await assert.rejects(promise!, bad);
    }
  });

  it("children named __proto__, constructor and hasOwnProperty are children like any other", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    const names = ["__proto__", "constructor", "hasOwnProperty"];
    await admin.create("/svc");
    for (const name of names) {
      await admin.create(`/svc/${name}`, JSON.stringify({ address: "h", port: name.length }));
    }
    await using registry = await Registry.connect({ servers: root.connectString });
    for (
      const snapshot of [
        await registry.get("/svc"),
        await registry.get("/svc", undefined, { childData: false }),
      ]
    ) {
      const { children } = snapshot;
      assert.equal(Object.getPrototypeOf(children), null);
      assert.deepEqual(Object.keys(children), names);
      const listed: string[] = [];
      for (const name in children) listed.push(name);
      assert.deepEqual(listed, names);
    }
    const { children } = await registry.get("/svc");
    for (const name of names) {
      assert.deepEqual(Object.getOwnPropertyDescriptor(children, name)?.value, {
        address: "h",
        port: name.length,
      });
    }
    const instances = await new ServiceDiscovery(registry, { basePath: "/" }).instances("svc");
    assert.deepEqual(
      instances.map((i) => [i.id, i.port]).sort(),
      names.map((n) => [n, n.length]).sort(),
    );
  });

  it("a snapshot's stat counts the children it lists and holds no field the cache cannot keep", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    await admin.create("/svc", "v1");
    for (const persistentWatches of [true, false]) {
      await using registry = await Registry.connect({
        servers: root.connectString,
        persistentWatches,
      });
      const before = await registry.get("/svc");
      const start = Object.keys(before.children).length;
      assert.equal(before.stat?.numChildren, start);
      const seen = registry.watch("/svc");
      await seen.next();
      await admin.create(`/svc/a${persistentWatches}`);
      await admin.create(`/svc/b${persistentWatches}`);
      await admin.create(`/svc/c${persistentWatches}`);
      await admin.setData("/svc", "v2");
      await admin.setData("/svc", "v1");
      for (;;) {
        const { value } = await seen.next();
        const stat = value!.stat!;
        assert.equal(stat.numChildren, Object.keys(value!.children).length);
        assert.equal("cversion" in stat || "pzxid" in stat || "aversion" in stat, false);
        if (stat.version === before.stat!.version + 2 && stat.numChildren === start + 3) break;
      }
      const truth = await admin.exists("/svc");
      const now = (await registry.get("/svc")).stat!;
      assert.equal(now.numChildren, truth!.numChildren);
      assert.equal(now.mzxid, truth!.mzxid);
      await seen.return!();
    }
  });

  it("a child the registry may not read is listed with null data and its error", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    await admin.create("/svc");
    await admin.create("/svc/open", "1");
    await admin.create("/svc/secret", "2", { acl: [await digestACL("owner", "pw")] });
    for (const persistentWatches of [true, false]) {
      await using registry = await Registry.connect({
        servers: root.connectString,
        persistentWatches,
      });
      const snapshot = await registry.get("/svc");
      assert.deepEqual({ ...snapshot.children }, { open: 1, secret: null });
      assert.deepEqual(Object.keys(snapshot.errors ?? {}), ["secret"]);
      const error = snapshot.errors!.secret;
      assert.ok(ZooKeeperError.is(error, "NOAUTH"), String(error));
      assert.equal(error.path, `/svc/secret`);
    }
  });

  it("a setNode() the server or the client refuses is not kept", async () => {
    await using root = await fx.chroot();
    const errors: unknown[] = [];
    await using registry = await Registry.connect({
      servers: root.connectString,
      onError: (error) => errors.push(error),
    });
    const big = { blob: "x".repeat(1_100_000) };
    await assert.rejects(
      registry.setNode("/svc/big", big),
      (error: unknown) => ZooKeeperError.is(error, "BADARGUMENTS"),
    );
    assert.equal(registry.registration("/svc/big"), undefined);
    await registry.stop();
    await registry.start();
    await registry.setNode("/svc/fine", {});
    assert.equal(registry.registration("/svc/fine")?.state, "registered");
    assert.equal(registry.registration("/svc/big"), undefined);
    assert.deepEqual(errors, []);
  });

  it("a held lock whose watch was lost with the connection arms it again and reports the loss", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    const zk = await root.connect();
    // The first watch set on the lock's own node is lost with the connection.
    let cut = 0;
    const flaky = new Proxy(zk, {
      get(target, key) {
        const value = Reflect.get(target, key, target);
        if (key !== "exists") return typeof value === "function" ? value.bind(target) : value;
        return (path: string, options?: { watch?: unknown }) => {
          if (options?.watch !== undefined && path.includes("_c_") && cut++ === 0) {
            return Promise.reject(ZooKeeperError.fromServer("CONNECTIONLOSS", "exists", path));
          }
          return target.exists(path, options as never);
        };
      },
    }) as ZooKeeper;
    let reason: Error | undefined;
    const lock = new Lock(flaky, "/lock", { onLost: (error) => reason = error });
    assert.equal(await lock.acquire(), true);
    const [node] = await admin.getChildren("/lock");
    await admin.delete(`/lock/${node}`);
    await eventually(() => reason !== undefined, "onLost after the node's deletion", 10_000);
    assert.ok(ZooKeeperError.is(reason, "NONODE"), String(reason));
    assert.equal(cut, 2);
  });

  it("the cache file revives zxids only in stat, and a file of the wrong shape is reported and ignored", async () => {
    const dir = await mkdtemp(join(tmpdir(), "registry-edges-"));
    try {
      const cacheFile = join(dir, "cache.json");
      const stat = {
        czxid: "5",
        mzxid: "6",
        ctime: 1,
        mtime: 2,
        version: 0,
        ephemeralOwner: "0",
        dataLength: 0,
        numChildren: 1,
      };
      const entry = {
        path: "/svc",
        data: { czxid: "12" },
        stat,
        children: { a: { pzxid: "7", mzxid: "8" } },
        stale: false,
      };
      await writeFile(cacheFile, JSON.stringify({ version: 1, entries: { "/svc": entry } }));
      {
        await using offline = await Registry.connect({
          servers: "127.0.0.1:1",
          cacheFile,
          lazy: true,
        });
        const snapshot = await offline.get("/svc");
        assert.deepEqual(snapshot.data, { czxid: "12" });
        assert.deepEqual({ ...snapshot.children }, { a: { pzxid: "7", mzxid: "8" } });
        assert.equal(snapshot.stat?.czxid, 5n);
        assert.equal(snapshot.stat?.ephemeralOwner, 0n);
        assert.equal(Object.getPrototypeOf(snapshot.children), null);
      }
      const errors: unknown[] = [];
      await writeFile(cacheFile, JSON.stringify({ version: 1, entries: { "/svc": 5 } }));
      await using offline = await Registry.connect({
        servers: "127.0.0.1:1",
        cacheFile,
        lazy: true,
        onError: (error) => errors.push(error),
      });
      assert.equal(errors.length, 1);
      assert.match(String(errors[0]), /cache file/);
      assert.equal((await offline.get("/svc")).stat, null);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("release() stops following a path, and a lookup of a missing path follows nothing", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    await admin.create("/svc", "1");
    await admin.create("/other", "1");
    const counter = await requestCounter();
    await using registry = await Registry.connect({
      servers: root.connectString,
      transport: counter.transport,
    });
    // The barrier: a change of /other, made after the others, is heard after theirs.
    const heard: unknown[] = [];
    registry.onChange("/other", (snapshot) => heard.push(snapshot.data));
    await registry.get("/other");
    const barrier = async (value: number) => {
      await admin.setData("/other", String(value));
      await eventually(() => heard.includes(value), "the change of /other");
    };
    await registry.get("/svc");
    await registry.get("/missing");
    await registry.release("/svc");
    counter.reset();
    await admin.setData("/svc", "2");
    await admin.create("/svc/a");
    await admin.create("/missing", "x");
    await barrier(2);
    assert.equal(counter.total("getData", "getChildren", "getChildren2", "exists"), 1);
  });

  it("one-shot watches: a service node deleted and created again at once is listed again", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    await admin.create("/svc", "x");
    await using registry = await Registry.connect({
      servers: root.connectString,
      persistentWatches: false,
    });
    const seen: string[][] = [];
    await registry.get("/svc", (snapshot) => seen.push(Object.keys(snapshot.children)));
    await Promise.all([admin.delete("/svc"), admin.create("/svc", "x")]);
    await admin.create("/svc/b");
    await eventually(() => seen.at(-1)?.join() === "b", "the new child listed", 10_000);
  });

  it("one-shot watches: a child deleted and created again during a listing is listed", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    await admin.create("/svc", "x");
    await admin.create("/svc/d", "1");
    await using registry = await Registry.connect({
      servers: root.connectString,
      persistentWatches: false,
    });
    for (let round = 0; round < 5; round++) {
      const seen: string[] = [];
      const off = registry.onChange("/svc", (s) => seen.push(Object.keys(s.children).join()));
      await registry.get("/svc");
      await Promise.all([
        admin.create("/svc/y"),
        admin.delete("/svc/d"),
        admin.create("/svc/d", "2"),
      ]);
      await eventually(() => seen.at(-1) === "d,y", `d and y listed (round ${round})`, 10_000);
      off();
      await registry.release("/svc");
      await admin.delete("/svc/y");
    }
  });

  it("maxReceiveSize lets a registry follow a listing larger than the default frame limit", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    await admin.create("/big");
    const names = Array.from({ length: 5200 }, (_, i) => `${i}-`.padEnd(210, "n"));
    for (let i = 0; i < names.length; i += 400) {
      await admin.multi(
        names.slice(i, i + 400).map((name) => ({
          op: "create" as const,
          path: `/big/${name}`,
        })),
      );
    }
    await using registry = await Registry.connect({
      servers: root.connectString,
      maxReceiveSize: 4_000_000,
      childData: false,
    });
    const snapshot = await registry.get("/big");
    assert.equal(Object.keys(snapshot.children).length, names.length);
    assert.equal(snapshot.stale, false);
  });
});
