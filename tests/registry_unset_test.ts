import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { type Lock, Registry, ZooKeeperError } from "../mod.ts";
import { RegistryLocks } from "../src/registry/registry_locks.ts";
import { startFaultProxy } from "./helpers/fault_proxy.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { within } from "./helpers/wait.ts";

describe("Registry.unset() without a connection", () => {
  const fx = useZooKeeper();

  for (const ephemeral of [false, true]) {
    const kind = ephemeral ? "an ephemeral" : "a persistent";
    it(`rejects with CONNECTIONLOSS and deletes ${kind} node on the next connection`, async () => {
      await using root = await fx.chroot();
      const admin = await root.connect();
      const proxy = await startFaultProxy({ host: fx.server.host, port: fx.server.port });
      fx.defer(() => proxy.close());
      await using registry = await Registry.connect({
        servers: `${proxy.address}${root.path}`,
        sessionTimeout: 30_000,
      });
      await registry.setNode("/svc/a", {}, { ephemeral });
      const away = new Promise<void>((resolve) =>
        registry.onStateChange((s) => s.type === "disconnected" && resolve())
      );
      await proxy.refuse(true);
      proxy.cut();
      await within(away, "the connection to drop");
      await assert.rejects(
        registry.unset("/svc/a"),
        (e: unknown) => ZooKeeperError.is(e, "CONNECTIONLOSS") && /as soon as/.test(e.message),
      );
      assert.equal(registry.registration("/svc/a"), undefined);
      // Asked again, it says the same: the node is not gone yet.
      await assert.rejects(
        registry.unset("/svc/a"),
        (e: unknown) => ZooKeeperError.is(e, "CONNECTIONLOSS"),
      );
      // The session lives on: the node is still there, until the registry is back.
      let deleted!: () => void;
      const gone = new Promise<void>((resolve) => deleted = resolve);
      const stat = await admin.exists("/svc/a", {
        watch: (e) => e.type === "NodeDeleted" && deleted(),
      });
      assert.notEqual(stat, null);
      await proxy.refuse(false);
      await within(gone, "the node to be deleted");
      assert.equal(await admin.exists("/svc/a"), null);
      assert.equal(registry.registration("/svc/a"), undefined);
      // Registered again, it is kept again.
      await registry.setNode("/svc/a", {}, { ephemeral });
      assert.equal(registry.registration("/svc/a")?.state, "registered");
    });
  }
});

describe("Registry.releaseLock()", () => {
  it("keeps a lock whose release failed, so that calling again retries", async () => {
    let releases = 0;
    const lock = {
      acquire: () => Promise.resolve(true),
      release: () =>
        ++releases === 1
          ? Promise.reject(ZooKeeperError.fromServer("NOAUTH", "delete", "/locks/a"))
          : Promise.resolve(),
    } as unknown as Lock;
    const locks = new RegistryLocks(() => {});
    assert.equal(await locks.acquire("/locks/a", lock), lock);
    await assert.rejects(locks.release("/locks/a"), (e: unknown) => ZooKeeperError.is(e, "NOAUTH"));
    await locks.release("/locks/a");
    assert.equal(releases, 2);
    await locks.release("/locks/a");
    assert.equal(releases, 2, "released once it succeeded");
  });
});
