import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Registry, ZooKeeperError } from "../mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";

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
});
