import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { Registry, ZooKeeperError } from "../mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { within } from "./helpers/wait.ts";

const closed = (error: unknown) => ZooKeeperError.is(error, "CLOSED");

describe("Registry while it closes", () => {
  const fx = useZooKeeper();

  it("a lookup in flight when close() runs rejects with CLOSED, not an empty answer", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    await admin.create("/svc");
    await admin.create("/svc/a", "{}");
    const registry = await Registry.connect({ servers: root.connectString });
    const looking = assert.rejects(registry.get("/svc"), closed);
    await registry.close();
    await looking;
  });

  it("a setNode() made while close() runs is refused and registers nothing", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    const registry = await Registry.connect({ servers: root.connectString });
    let checks = 0;
    // Started before close(), still waiting for its metadata when it runs.
    const early = assert.rejects(registry.setNode("/svc/early", {}), closed);
    const closing = registry.close();
    const late = assert.rejects(
      registry.setNode("/svc/late", {}, { check: () => void checks++ }),
      closed,
    );
    await Promise.all([early, late, closing]);
    assert.equal(registry.registration("/svc/early"), undefined);
    assert.equal(registry.registration("/svc/late"), undefined);
    assert.equal(await admin.exists("/svc/early"), null);
    assert.equal(await admin.exists("/svc/late"), null);
    assert.equal(checks, 0);
  });

  it("a setNode() in flight when drain() starts is refused and registers nothing", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    const registry = await Registry.connect({ servers: root.connectString });
    const early = assert.rejects(registry.setNode("/svc/early", {}), closed);
    const draining = registry.drain({ grace: 0 });
    await early;
    assert.equal(registry.registration("/svc/early"), undefined);
    assert.equal(await admin.exists("/svc/early"), null);
    await draining;
  });

  it("close() after the signal's abort, and a second close(), leave nothing registered", async () => {
    await using root = await fx.chroot();
    const controller = new AbortController();
    const registry = await Registry.connect({
      servers: root.connectString,
      signal: controller.signal,
    });
    await registry.setNode("/svc/a", {});
    controller.abort();
    await registry.close();
    await registry.close();
    const admin = await root.connect();
    assert.equal(await admin.exists("/svc/a"), null);
  });

  it("close() lets go of the signal it was given", async () => {
    await using root = await fx.chroot();
    const listeners = new Set<unknown>();
    const target = new EventTarget();
    const signal = Object.assign(target, {
      aborted: false,
      reason: undefined,
      onabort: null,
      throwIfAborted() {},
      addEventListener(type: string, listener: unknown) {
        if (type === "abort") listeners.add(listener);
      },
      removeEventListener(type: string, listener: unknown) {
        if (type === "abort") listeners.delete(listener);
      },
    }) as unknown as AbortSignal;
    const registry = await Registry.connect({ servers: root.connectString, signal });
    assert.equal(listeners.size, 1);
    await registry.close();
    assert.equal(listeners.size, 0);
  });

  it("Registry.connect() refuses a signal that is not one", async () => {
    await assert.rejects(
      // deno-lint-ignore no-explicit-any
      Registry.connect({ servers: "127.0.0.1:1", signal: new AbortController() as any }),
      { name: "TypeError", message: /"signal" must be an AbortSignal/ },
    );
  });
});

describe("Registry.setNode() health checks", () => {
  const fx = useZooKeeper();

  it("a check it cannot run is refused, and nothing is registered", async () => {
    await using root = await fx.chroot();
    await using registry = await Registry.connect({ servers: root.connectString });
    const bad: [unknown, ErrorConstructor][] = [
      ["http://127.0.0.1:1/health", TypeError],
      [{ tcp: "no-port" }, TypeError],
      [{ tcp: "127.0.0.1:0" }, TypeError],
      [{ http: "not a url" }, TypeError],
      [{ http: "ftp://127.0.0.1/" }, TypeError],
      [{}, TypeError],
    ];
    for (const [check, type] of bad) {
      // deno-lint-ignore no-explicit-any
      await assert.rejects(registry.setNode("/svc/a", {}, { check: check as any }), type);
    }
    for (const interval of [0, -1, NaN, "10"]) {
      await assert.rejects(
        // deno-lint-ignore no-explicit-any
        registry.setNode("/svc/a", {}, { check: () => true, interval: interval as any }),
        RangeError,
      );
    }
    assert.equal(registry.registration("/svc/a"), undefined);
    // Nothing left to put in place on the next session either.
    await registry.stop();
    await registry.start();
    await registry.setNode("/svc/b", {});
    const admin = await root.connect();
    assert.deepEqual(await admin.getChildren("/svc"), ["b"]);
  });

  it("a refused setNode() leaves a checked registration checked", async () => {
    await using root = await fx.chroot();
    await using registry = await Registry.connect({ servers: root.connectString });
    let healthy = true;
    await registry.setNode("/svc/a", {}, { check: () => healthy, interval: 10, fall: 1 });
    assert.equal(registry.registration("/svc/a")?.state, "registered");
    await assert.rejects(
      registry.setNode("/svc/a", {}, { check: () => true, interval: 0 }),
      RangeError,
    );
    const unhealthy = new Promise<void>((resolve) =>
      registry.onRegistrationChange((status) => {
        if (status.path === "/svc/a" && status.state === "unhealthy") resolve();
      })
    );
    healthy = false;
    await within(unhealthy, "the check to take the registration out");
  });
});
