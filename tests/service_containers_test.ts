import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { type Registry, ServiceDiscovery, type ZooKeeper, ZooKeeperError } from "../mod.ts";
import { serve } from "../src/http/mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { within } from "./helpers/wait.ts";

const TOKEN = "container-test-token";

/** Resolves once `path` is deleted (it exists when this is called). */
async function deletion(zk: ZooKeeper, path: string): Promise<void> {
  let deleted = () => {};
  const done = new Promise<void>((resolve) => deleted = resolve);
  const stat = await zk.exists(path, {
    watch: (event) => {
      if (event.type === "NodeDeleted") deleted();
    },
  });
  assert.notEqual(stat, null, `${path} exists`);
  await within(done, `${path} to be deleted`);
}

describe("Service nodes made as containers, on a real server", () => {
  // The server looks for empty containers every 100 ms (60 s by default).
  const fx = useZooKeeper({ jvmFlags: ["-Dznode.container.checkIntervalMs=100"] });
  let zk: ZooKeeper;
  let registry: Registry;

  before(async () => {
    zk = await fx.connect();
    registry = await fx.registry();
    await zk.create("/services").catch(() => {});
  });

  it("a gateway PUT to a new service makes its node a container, which goes with its last instance", async () => {
    const gateway = serve(registry, { token: TOKEN });
    const headers = { authorization: `Bearer ${TOKEN}` };
    const url = "http://localhost/v1/services/fresh/a";
    try {
      const put = await gateway(
        new Request(url, { method: "PUT", headers, body: '{"address":"10.0.0.1","port":80}' }),
      );
      assert.equal(put.status, 201, await put.text());
      const gone = deletion(zk, "/services/fresh");
      const removed = await gateway(new Request(url, { method: "DELETE", headers }));
      assert.equal(removed.status, 204);
      await gone;
    } finally {
      await gateway.close();
    }
  });

  it("Curator-style discovery makes a new service's node a container, as Curator does", async () => {
    const discovery = new ServiceDiscovery(registry);
    const instance = await discovery.register("fresh2", { address: "10.0.0.2", port: 81 });
    const gone = deletion(zk, "/services/fresh2");
    await discovery.unregister("fresh2", instance.id);
    await gone;
  });

  it("setNode makes persistent parents unless asked for containers, and refuses any other kind", async () => {
    await registry.setNode("/kept/a", { address: "10.0.0.3" });
    await registry.setNode("/held/b/c", { address: "10.0.0.4" }, { parents: "container" });
    await assert.rejects(
      registry.setNode("/odd/d", {}, { parents: "ephemeral" as "container" }),
      (error) => ZooKeeperError.is(error, "BADARGUMENTS") && /parents must be/.test(error.message),
    );
    assert.equal(await zk.exists("/odd"), null);
    assert.equal(registry.registration("/odd/d"), undefined);
    // A client cannot tell a container by its Stat (the server reports owner
    // 0 for both): the containers go, and a canary container that goes after
    // them shows that the cleanup ran past the persistent parent.
    const held = deletion(zk, "/held");
    await registry.unset("/kept/a");
    await registry.unset("/held/b/c");
    await held;
    await zk.create("/canary", undefined, { mode: "container" });
    await zk.create("/canary/child");
    const canary = deletion(zk, "/canary");
    await zk.delete("/canary/child");
    await canary;
    assert.notEqual(await zk.exists("/kept"), null, "the persistent parent stays");
  });
});
