import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { startFixture } from "./helpers/fixture.ts";

describe("The test fixture's teardown", () => {
  it("runs deferred steps last added first while ZooKeeper serves, then closes clients and the server", async () => {
    const fx = await startFixture();
    const zk = await fx.connect();
    const registry = await fx.registry();
    const steps: string[] = [];
    fx.defer(() => steps.push("added first"));
    fx.defer(async () => {
      assert.ok(fx.server.running);
      assert.ok(await zk.exists("/"), "a client still answers");
      assert.equal(registry.state.type, "connected");
      steps.push("added last");
    });
    await fx.close();
    assert.deepEqual(steps, ["added last", "added first"]);
    assert.equal(zk.state.type, "closed");
    assert.equal(registry.state.type, "closed");
    assert.equal(fx.server.running, false);
  });

  it("a failing step fails close() after every other step ran and the server stopped", async () => {
    const fx = await startFixture();
    const zk = await fx.connect();
    let ran = false;
    fx.defer(() => {
      ran = true;
    });
    fx.defer(() => {
      throw new Error("step failed");
    });
    await assert.rejects(fx.close(), /step failed/);
    assert.ok(ran);
    assert.equal(zk.state.type, "closed");
    assert.equal(fx.server.running, false);
  });
});
