/**
 * A listing over the registry's receive limit (`maxReceiveSize`) on a real
 * server: the lookup fails with an error that names the limit, the
 * connection goes on, and a followed path reads it again with backoff on the
 * registry's clock.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { type NodeSnapshot, Registry, ZooKeeperError } from "../mod.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { requestCounter } from "./helpers/request_counter.ts";
import { eventually, within } from "./helpers/wait.ts";

const LIMIT = 4096;
// 30 names of 200 characters: a listing of about 6 KB, over the limit.
const names = Array.from({ length: 30 }, (_, i) => `${i}-`.padEnd(200, "n"));

function overLimit(error: unknown): boolean {
  return ZooKeeperError.is(error, "MARSHALLINGERROR") && error.message.includes(`${LIMIT} bytes`);
}

describe("Registry receive limit", () => {
  const fx = useZooKeeper();

  it("a listing over maxReceiveSize fails its lookup with the limit, and the connection goes on", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    await admin.create("/big");
    await admin.multi(names.map((name) => ({ op: "create" as const, path: `/big/${name}` })));
    await admin.create("/small", "1");
    const counter = await requestCounter();
    await using registry = await Registry.connect({
      servers: root.connectString,
      clock: new FakeClock(),
      transport: counter.transport,
      maxReceiveSize: LIMIT,
    });
    const lookup = within(registry.get("/big").then(() => "found", (e) => e), "the lookup");
    const error = await lookup;
    assert.ok(overLimit(error), String(error));
    assert.equal((error as ZooKeeperError).path, "/big");
    assert.equal((await registry.get("/small")).data, 1);
    assert.equal(registry.state.type, "connected");
    assert.equal(counter.connects, 1);
  });

  it("a followed listing that grows over maxReceiveSize is reported, stale, and read again with backoff", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    await admin.create("/svc", "x");
    const clock = new FakeClock();
    const counter = await requestCounter();
    const errors: unknown[] = [];
    await using registry = await Registry.connect({
      servers: root.connectString,
      clock,
      sessionTimeout: 30_000,
      transport: counter.transport,
      maxReceiveSize: LIMIT,
      persistentWatches: false,
      childData: false,
      onError: (error) => errors.push(error),
    });
    const seen: NodeSnapshot[] = [];
    registry.onChange("/svc", (snapshot) => seen.push(snapshot));
    await registry.get("/svc");
    await admin.multi(names.map((name) => ({ op: "create" as const, path: `/svc/${name}` })));
    await eventually(() => errors.length === 1, "the failed listing reported");
    assert.ok(overLimit(errors[0]), String(errors[0]));
    await eventually(() => seen.at(-1)?.stale === true, "a stale snapshot");
    assert.deepEqual(Object.keys(seen.at(-1)!.children), []);
    const zk = registry.client!;
    // The retries, on the registry's clock: 1 s, then 2 s, then 4 s.
    let retries = 0;
    for (const wait of [1000, 2000]) {
      counter.reset();
      clock.advance(wait - 1);
      await counter.settle(zk);
      assert.equal(counter.total("getChildren"), 0, `nothing before ${wait} ms`);
      clock.advance(1);
      retries++;
      await eventually(() => errors.length === 1 + retries, `retry ${retries} reported`);
      assert.equal(counter.total("getChildren"), 1);
    }
    await admin.multi(
      names.slice(1).map((name) => ({ op: "delete" as const, path: `/svc/${name}` })),
    );
    clock.advance(4000);
    await eventually(() => seen.at(-1)?.stale === false, "a fresh snapshot");
    assert.deepEqual(Object.keys(seen.at(-1)!.children), [names[0]]);
    assert.equal(counter.connects, 1);
    assert.equal(errors.length, 3);
  });
});
