import { after, before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry, type ZooKeeper } from "../mod.ts";
import type { ZkServer } from "./helpers/zk_server.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually } from "./helpers/wait.ts";

describe("The registry's cache file on a real server", () => {
  const fx = useZooKeeper();
  let server: ZkServer;
  let zk: ZooKeeper;
  let dir: string;

  before(async () => {
    server = fx.server;
    zk = await fx.connect();
    dir = await mkdtemp(join(tmpdir(), "registry-cache-file-test-"));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("a registry started while ZooKeeper is away answers from the cache file, marked stale", async () => {
    const cacheFile = join(dir, "cache.json");
    await zk.create("/cached", "");
    await zk.create("/cached/a", JSON.stringify({ port: 1 }));
    {
      await using registry = await Registry.connect({ servers: server.connectString, cacheFile });
      const live = await registry.get("/cached");
      assert.equal(live.stale, false);
    }
    await using offline = await Registry.connect({
      servers: "127.0.0.1:1",
      cacheFile,
      lazy: true,
      connectTimeout: 500,
    });
    const cached = await offline.get("/cached");
    assert.equal(cached.stale, true);
    assert.deepEqual({ ...cached.children }, { a: { port: 1 } });
    assert.equal(typeof cached.stat?.mzxid, "bigint");
  });

  it("an empty result never replaces the last good one in the cache", async () => {
    const cacheFile = join(dir, "empty.json");
    await zk.create("/emptied", "");
    await zk.create("/emptied/a", "1");
    {
      await using registry = await Registry.connect({ servers: server.connectString, cacheFile });
      await registry.get("/emptied");
      await zk.delete("/emptied/a");
      await eventually(
        async () => Object.keys((await registry.get("/emptied")).children).length === 0,
        "the live list to empty",
      );
    }
    await using offline = await Registry.connect({ servers: "127.0.0.1:1", cacheFile, lazy: true });
    assert.deepEqual({ ...(await offline.get("/emptied")).children }, { a: 1 });
  });

  it("registries sharing one cache file keep each other's entries", async () => {
    const cacheFile = join(dir, "shared.json");
    await zk.create("/share1", "one");
    await zk.create("/share2", "two");
    const a = await Registry.connect({ servers: server.connectString, cacheFile });
    const b = await Registry.connect({ servers: server.connectString, cacheFile });
    await Promise.all([a.get("/share1"), b.get("/share2")]);
    await Promise.all([a.close(), b.close()]);
    const doc = JSON.parse(await readFile(cacheFile, "utf8"));
    assert.deepEqual(Object.keys(doc.entries).sort(), ["/share1", "/share2"]);
  });

  it("a corrupt cache file is reported and ignored", async () => {
    const cacheFile = join(dir, "corrupt.json");
    await writeFile(cacheFile, "{ not json");
    const errors: unknown[] = [];
    await zk.create("/after-corrupt", "ok");
    await using registry = await Registry.connect({
      servers: server.connectString,
      cacheFile,
      onError: (e) => errors.push(e),
    });
    assert.match(String(errors[0]), /corrupt cache file/);
    assert.equal((await registry.get("/after-corrupt")).data, "ok");
  });
});
