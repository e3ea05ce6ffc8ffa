import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { type Registry, ServiceDiscovery, type ZooKeeper, ZooKeeperError } from "../mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";

const decoder = new TextDecoder();

describe("Registry.setNode() data from plain JavaScript", () => {
  const fx = useZooKeeper();
  let zk: ZooKeeper;
  let registry: Registry;

  before(async () => {
    zk = await fx.connect();
    registry = await fx.registry();
  });

  it("setNode() stores a string as ndServiceRegistry does: string_value, with the metadata", async () => {
    await registry.setNode("/data/text/host1:22", "hello world");
    const { data } = await zk.getData("/data/text/host1:22");
    const stored = JSON.parse(decoder.decode(data));
    assert.equal(stored.string_value, "hello world");
    assert.equal(typeof stored.pid, "number");
    assert.match(stored.created, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const [instance] = await new ServiceDiscovery(registry, { basePath: "/data" }).instances(
      "text",
    );
    assert.equal(instance.payload, "hello world", "read back as the text");
  });

  it("setNode() with metadata: false stores a string as the node's data, as it is", async () => {
    await registry.setNode("/data/raw", "just text", { metadata: false });
    assert.equal(decoder.decode((await zk.getData("/data/raw")).data), "just text");
    assert.equal((await registry.get("/data/raw")).data, "just text");
  });

  it("setNode() refuses a number, an array, null or a boolean with BADARGUMENTS, writing nothing", async () => {
    for (const bad of [42, [1, 2], null, true, new Uint8Array([1])]) {
      await assert.rejects(
        // deno-lint-ignore no-explicit-any
        registry.setNode("/data/bad", bad as any),
        (e: unknown) =>
          e instanceof ZooKeeperError && e.code === "BADARGUMENTS" && e.path === "/data/bad" &&
          /^Cannot register "\/data\/bad": data must be an object or a string, not /.test(
            e.message,
          ),
        String(bad),
      );
    }
    assert.equal(await zk.exists("/data/bad"), null);
    assert.equal(registry.registration("/data/bad"), undefined);
  });

  it("setNode() refuses data JSON cannot write (a bigint, a cycle) with BADARGUMENTS", async () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const bad of [{ big: 1n }, cycle]) {
      await assert.rejects(
        // deno-lint-ignore no-explicit-any
        registry.setNode("/data/bad", bad as any),
        (e: unknown) =>
          e instanceof ZooKeeperError && e.code === "BADARGUMENTS" &&
          e.message.startsWith('Cannot register "/data/bad": data is not JSON: '),
      );
    }
    assert.equal(await zk.exists("/data/bad"), null);
    await registry.setNode("/data/ok", { fine: true }); // and the registry goes on
    assert.ok(await zk.exists("/data/ok"));
  });
});
