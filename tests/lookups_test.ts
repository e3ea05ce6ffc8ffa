import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { ZooKeeperError } from "../mod.ts";
import { Lookups } from "../src/registry/lookups.ts";
import type { NodeSnapshot } from "../src/registry/snapshot.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { data, fakeClient, stat } from "./helpers/fake_cache_client.ts";

function lookups(fake: ReturnType<typeof fakeClient>) {
  return new Lookups({
    client: () => fake.zk,
    gate: () => Promise.resolve(),
    onError: (e) => assert.fail(String(e)),
    clock: new FakeClock(),
    followFor: 60_000,
  });
}

describe("Lookups.onChange", () => {
  it("skips the first read, and reports a change heard of while it was under way", async () => {
    const fake = fakeClient();
    const seen: NodeSnapshot[] = [];
    const off = lookups(fake).onChange("/s", (s) => seen.push(s), {});
    await fake.tick();
    // The node changes while its first read is answered.
    await fake.reply("getData", "/s", data("first", 1));
    fake.event({ type: "NodeDataChanged", path: "/s" });
    await fake.reply("getChildren", "/s", []);
    assert.equal(seen.length, 0, "nothing before the burst's replies are in");
    await fake.reply("getData", "/s", data("changed", 2));
    assert.deepEqual(seen.map((s) => s.data), ["changed"]);
    off();
  });

  it("reports a first read that a reconnection delayed", async () => {
    const fake = fakeClient();
    const seen: NodeSnapshot[] = [];
    const registry = lookups(fake);
    const off = registry.onChange("/s", (s) => seen.push(s), {});
    await fake.tick();
    // The connection is lost and back while the first read waits: changes
    // made meanwhile are in its reply, and no event tells of them.
    registry.reconnected();
    await fake.reply("getData", "/s", data("changed", 2));
    await fake.reply("getChildren", "/s", []);
    await fake.reply("getChildren2", "/s", { children: [], stat: stat(2) });
    assert.deepEqual(seen.map((s) => s.data), ["changed"]);
    off();
  });

  it("skips a first read that no change overtook", async () => {
    const fake = fakeClient();
    const seen: NodeSnapshot[] = [];
    const off = lookups(fake).onChange("/s", (s) => seen.push(s), {});
    await fake.tick();
    await fake.reply("getData", "/s", data("first", 1));
    await fake.reply("getChildren", "/s", []);
    assert.equal(seen.length, 0);
    fake.event({ type: "NodeDataChanged", path: "/s" });
    await fake.reply("getData", "/s", data("changed", 2));
    assert.deepEqual(seen.map((s) => s.data), ["changed"]);
    off();
  });
});

/** "/s" followed, read with `children`, then released: its watches' removal awaits an answer. */
async function released(children: string[]) {
  const fake = fakeClient({ holdRemovals: true });
  const registry = lookups(fake);
  const off = registry.onChange("/s", () => {}, {});
  await fake.tick();
  await fake.reply("getData", "/s", data("x", 1));
  await fake.reply("getChildren", "/s", children);
  for (const name of children) await fake.reply("getData", `/s/${name}`, data(name, 1));
  off();
  await fake.tick();
  return { fake, registry };
}

describe("Lookups following a path again", () => {
  it("reports the first read of a path followed again once the old watches are gone", async () => {
    // The read waits for the removal: changes made meanwhile are in it, and
    // no event tells of them.
    const { fake, registry } = await released([]);
    const seen: NodeSnapshot[] = [];
    registry.onChange("/s", (s) => seen.push(s), {});
    await fake.tick();
    fake.answer("removeWatches", "/s", undefined);
    await fake.tick();
    await fake.reply("getData", "/s", data("changed meanwhile", 2));
    await fake.reply("getChildren", "/s", []);
    assert.deepEqual(seen.map((s) => s.data), ["changed meanwhile"]);
  });

  it("a child followed while its parent's watches are removed waits for the removal", async () => {
    // The parent's cache removes the data watches it set on its children.
    const { fake, registry } = await released(["a"]);
    assert.deepEqual(fake.sent.slice(-2).sort(), ["removeWatches /s", "removeWatches /s/a"]);
    const before = fake.sent.length;
    const child = registry.get("/s/a", undefined, {});
    await fake.tick();
    assert.deepEqual(fake.sent.slice(before), [], "the child's cache waits for the removals");
    fake.answer("removeWatches", "/s", undefined);
    fake.answer("removeWatches", "/s/a", undefined);
    await fake.tick();
    await fake.reply("getData", "/s/a", data("a2", 2));
    await fake.reply("getChildren", "/s/a", []);
    assert.equal((await child).data, "a2");
  });

  it("a lookup after a failed first read waits until the failed cache's watches are removed", async () => {
    const fake = fakeClient({ holdRemovals: true });
    const registry = lookups(fake);
    const first = assert.rejects(
      registry.get("/s", undefined, {}),
      (e) => ZooKeeperError.is(e, "NOAUTH"),
    );
    await fake.tick();
    const read = fake.calls.findIndex((c) => c.op === "getData" && c.path === "/s");
    fake.calls.splice(read, 1)[0].reject(ZooKeeperError.fromServer("NOAUTH", "read", "/s"));
    await fake.reply("getChildren", "/s", []);
    await first;
    await fake.tick();
    assert.deepEqual(fake.sent.slice(-1), ["removeWatches /s"]);
    const before = fake.sent.length;
    const second = registry.get("/s", undefined, {});
    await fake.tick();
    assert.deepEqual(fake.sent.slice(before), [], "the new cache waits for the removal");
    fake.answer("removeWatches", "/s", undefined);
    await fake.tick();
    await fake.reply("getData", "/s", data("y", 2));
    await fake.reply("getChildren", "/s", []);
    assert.equal((await second).data, "y");
  });

  it("sends nothing for a path until the watches of its released cache are removed", async () => {
    // The server keeps one watch per kind and path for a session: a new
    // cache's watch set before the old one's removal is answered would be
    // removed with it, and the changes until it is set again never heard of.
    const { fake, registry } = await released([]);
    assert.deepEqual(fake.sent.slice(-1), ["removeWatches /s"]);
    const before = fake.sent.length;
    const seen: NodeSnapshot[] = [];
    registry.onChange("/s", (s) => seen.push(s), {});
    const first = registry.get("/s", undefined, {});
    await fake.tick();
    assert.deepEqual(fake.sent.slice(before), [], "the new cache waits for the removal");
    fake.answer("removeWatches", "/s", undefined);
    await fake.tick();
    assert.deepEqual(fake.sent.slice(before), ["addWatch /s", "getData /s", "getChildren /s"]);
    await fake.reply("getData", "/s", data("y", 2));
    await fake.reply("getChildren", "/s", []);
    assert.equal((await first).data, "y");
  });
});
