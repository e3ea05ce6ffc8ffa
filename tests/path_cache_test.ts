import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { type ZooKeeper, ZooKeeperError } from "../mod.ts";
import { PathCache, type PathCacheContext } from "../src/registry/path_cache.ts";
import type { NodeSnapshot } from "../src/registry/snapshot.ts";
import { data, fakeClient, stat } from "./helpers/fake_cache_client.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";

/** A cache of "/s" on a fake client, attached; `context` replaces parts of its owner. */
function attached(
  fake: ReturnType<typeof fakeClient>,
  context: Partial<PathCacheContext> = {},
): PathCache {
  const cache = new PathCache("/s", true, {
    gate: () => Promise.resolve(),
    onSnapshot: () => {},
    onError: (e) => assert.fail(String(e)),
    modeFor: () => "persistent",
    noPersistentWatches: () => {},
    clock: new FakeClock(),
    ...context,
  });
  cache.attach(fake.zk);
  return cache;
}

async function loaded(names: string[], mode: "persistent" | "oneShot" = "persistent") {
  const fake = fakeClient();
  const published: NodeSnapshot[] = [];
  const cache = attached(fake, { onSnapshot: (s) => published.push(s), modeFor: () => mode });
  await fake.reply("getData", "/s", data("node", 1));
  await fake.reply("getChildren", "/s", names);
  for (const name of names) await fake.reply("getData", `/s/${name}`, data({ name }, 2));
  await cache.settled();
  return { fake, cache, published };
}

describe("PathCache", () => {
  it("PathCache closed while a request waits for the rate limiter neither waits for it nor sends it", async () => {
    const fake = fakeClient();
    let open = () => {};
    const held = new Promise<void>((resolve) => open = resolve);
    const cache = attached(fake, {
      gate: () => held,
      onSnapshot: () => assert.fail("nothing is published"),
    });
    let closed = false;
    cache.close().then(() => closed = true);
    await fake.tick();
    assert.ok(closed, "the close does not wait for the gate");
    open();
    await fake.tick();
    assert.ok(!fake.sent.includes("addWatch /s"), "nothing goes out once stopped");
  });

  it("PathCache closed while its watch is being set removes it once it is set", async () => {
    const fake = fakeClient({ holdAddWatch: true });
    const cache = attached(fake, { onSnapshot: () => assert.fail("nothing is published") });
    await fake.tick();
    const closed = cache.close();
    await fake.tick();
    // Removed now, the watch would be set after its removal, and stay.
    assert.deepEqual(fake.sent, ["addWatch /s"]);
    fake.answer("addWatch", "/s", undefined);
    await closed;
    assert.deepEqual(fake.sent, ["addWatch /s", "removeWatches /s"]);
  });

  it("PathCache drops a read that a later deletion of the child overtook", async () => {
    const { fake, cache } = await loaded(["a", "b"]);
    fake.event({ type: "NodeDataChanged", path: "/s/a" });
    fake.event({ type: "NodeDeleted", path: "/s/a" });
    // The read was answered before the deletion, but handled after it.
    await fake.reply("getData", "/s/a", data({ name: "a", v: 2 }, 3));
    // The barrier after the deletion, which read nothing.
    await fake.reply("exists", "/s", stat(3));
    await cache.settled();
    assert.deepEqual(Object.keys(cache.snapshot!.children), ["b"]);
  });

  it("PathCache keeps a child out that a listing still names after its deletion event", async () => {
    const { fake, cache } = await loaded(["a"]);
    fake.event({ type: "NodeDeleted", path: "/s/a" });
    // A reconnect's listing, answered before the deletion, handled after.
    cache.reconnected();
    fake.event({ type: "NodeDeleted", path: "/s/a" });
    await fake.reply("getChildren2", "/s", { children: ["a"], stat: stat(1) });
    // Deleted, or created again meanwhile? A new listing tells.
    await fake.reply("getChildren", "/s", []);
    // The barrier after the first deletion, which read nothing.
    await fake.reply("exists", "/s", stat(1));
    await cache.settled();
    assert.deepEqual({ ...cache.snapshot!.children }, {});
    assert.equal(fake.calls.length, 0);
  });

  it("PathCache publishes the deletions of one transaction once, after a barrier read", async () => {
    const { fake, cache, published } = await loaded(["a", "b", "c"]);
    const before = published.length;
    // Handled together, as the events of one packet are.
    fake.event({ type: "NodeDeleted", path: "/s/a" });
    fake.event({ type: "NodeDeleted", path: "/s/b" });
    await fake.tick();
    assert.equal(published.length, before, "nothing before the barrier's reply");
    assert.equal(fake.calls.length, 1, "one barrier");
    await fake.reply("exists", "/s", stat(1));
    await cache.settled();
    assert.deepEqual(published.slice(before).map((s) => Object.keys(s.children).join()), ["c"]);
  });

  it("PathCache holds back a transaction whose first event comes after a reply it handles later", async () => {
    const { fake, cache, published } = await loaded(["a", "b", "c"]);
    fake.event({ type: "NodeDataChanged", path: "/s/a" });
    await fake.tick();
    const before = published.length;
    // On the wire: the read's reply, then the first deletion of a
    // transaction, whose second deletion comes in the next packet.
    fake.answer("getData", "/s/a", data({ name: "a", v: 2 }, 3));
    fake.event({ type: "NodeDeleted", path: "/s/b" });
    await fake.tick();
    assert.equal(published.length, before, "nothing published half applied");
    fake.event({ type: "NodeDeleted", path: "/s/c" });
    await fake.reply("exists", "/s", stat(1));
    assert.equal(published.length, before, "nothing before the barrier after the last event");
    await fake.reply("exists", "/s", stat(1));
    await cache.settled();
    assert.deepEqual(published.slice(before).map((s) => Object.keys(s.children).join()), ["a"]);
  });

  it("PathCache sends a barrier lost with the connection again once reconnected (one-shot)", async () => {
    const { fake, cache } = await loaded(["a", "b"], "oneShot");
    fake.event({ type: "NodeDeleted", path: "/s/a" });
    await fake.tick();
    const barrier = fake.calls.findIndex((c) => c.op === "exists");
    fake.calls.splice(barrier, 1)[0].reject(
      ZooKeeperError.fromServer("CONNECTIONLOSS", "exists", "/s"),
    );
    await fake.tick();
    assert.deepEqual(Object.keys(cache.snapshot!.children), ["a", "b"], "held back");
    cache.reconnected();
    await fake.reply("exists", "/s", stat(1));
    await cache.settled();
    assert.deepEqual(Object.keys(cache.snapshot!.children), ["b"]);
  });

  it("PathCache lists again when a listing names a child deleted since it was asked (one-shot)", async () => {
    const { fake, cache } = await loaded(["d"], "oneShot");
    fake.event({ type: "NodeChildrenChanged", path: "/s" });
    fake.event({ type: "NodeDeleted", path: "/s/d" });
    // y created, d deleted and created again, all before the listing.
    await fake.reply("getChildren", "/s", ["d", "y"]);
    await fake.reply("getData", "/s/y", data({ name: "y" }, 4));
    await fake.reply("getChildren", "/s", ["d", "y"]);
    await fake.reply("getData", "/s/d", data({ name: "d" }, 5));
    // The barrier after the deletion, which read nothing since.
    await fake.reply("exists", "/s", stat(5));
    await cache.settled();
    assert.deepEqual(Object.keys(cache.snapshot!.children), ["d", "y"]);
    assert.equal(fake.calls.length, 0);
  });

  it("PathCache publishes once a burst's replies are all in, and ignores deeper nodes", async () => {
    const { fake, cache } = await loaded(["a", "b"]);
    const seen: NodeSnapshot[] = [];
    cache.listen((s) => seen.push(s));
    fake.event({ type: "NodeDataChanged", path: "/s/a" });
    fake.event({ type: "NodeCreated", path: "/s/c" });
    fake.event({ type: "NodeCreated", path: "/s/c/deeper" });
    await fake.reply("getData", "/s/a", data({ name: "a", v: 2 }, 3));
    assert.equal(seen.length, 0);
    await fake.reply("getData", "/s/c", data({ name: "c" }, 4));
    await cache.settled();
    assert.equal(seen.length, 1);
    assert.deepEqual({ ...seen[0].children }, {
      a: { name: "a", v: 2 },
      b: { name: "b" },
      c: { name: "c" },
    });
    assert.equal(fake.calls.length, 0);
  });

  it("PathCache redoes a read lost with the connection once reconnected", async () => {
    const { fake, cache } = await loaded(["a"]);
    fake.event({ type: "NodeDataChanged", path: "/s/a" });
    await fake.tick();
    const lost = fake.calls.findIndex((c) => c.path === "/s/a");
    fake.calls.splice(lost, 1)[0].reject(
      ZooKeeperError.fromServer("CONNECTIONLOSS", "read", "/s/a"),
    );
    await cache.settled();
    cache.reconnected();
    await fake.reply("getData", "/s/a", data({ name: "a", v: 9 }, 9));
    await fake.reply("getChildren2", "/s", { children: ["a"], stat: stat(1) });
    await cache.settled();
    assert.deepEqual({ ...cache.snapshot!.children }, { a: { name: "a", v: 9 } });
    assert.equal(fake.calls.length, 0);
  });

  for (const mode of ["persistent", "oneShot"] as const) {
    it(`PathCache on a new session reads every child again when its whole listing was lost (${mode})`, async () => {
      const { fake, cache } = await loaded(["a"], mode);
      // The session expired; on the next one, the listing that reads every
      // child again is lost with the connection.
      cache.detach();
      cache.attach(fake.zk);
      await fake.reply("getData", "/s", data("node", 1));
      const listing = fake.calls.findIndex((c) => c.op === "getChildren" && c.path === "/s");
      fake.calls.splice(listing, 1)[0].reject(
        ZooKeeperError.fromServer("CONNECTIONLOSS", "list", "/s"),
      );
      await cache.settled();
      cache.reconnected();
      await fake.tick();
      const relist = fake.calls.find((c) => c.path === "/s" && c.op.startsWith("getChildren"))!;
      await fake.reply(
        relist.op,
        "/s",
        relist.op === "getChildren2" ? { children: ["a"], stat: stat(1) } : ["a"],
      );
      // `a` changed while no session watched it: only a read can tell.
      await fake.reply("getData", "/s/a", data({ name: "a", v: 7 }, 7));
      await cache.settled();
      assert.deepEqual({ ...cache.snapshot!.children }, { a: { name: "a", v: 7 } });
    });
  }

  it("PathCache holds a transaction that its first read's replies miss, though it changes nothing known yet", async () => {
    // The service is deleted and created again in one transaction while the
    // first read is under way: its replies came before the events, and are
    // handled after them.
    const fake = fakeClient();
    const published: NodeSnapshot[] = [];
    const cache = attached(fake, { onSnapshot: (s) => published.push(s) });
    await fake.tick();
    fake.event({ type: "NodeDeleted", path: "/s/e" });
    fake.event({ type: "NodeDeleted", path: "/s" });
    fake.answer("getData", "/s", data("old", 1));
    fake.answer("getChildren", "/s", ["e"]);
    await fake.tick();
    assert.equal(published.length, 0, "no state between the deletion and the creation");
    fake.event({ type: "NodeCreated", path: "/s" });
    await fake.reply("getData", "/s", data("new", 3));
    await fake.reply("exists", "/s", stat(3));
    await cache.settled();
    assert.deepEqual(published.map((s) => [s.data, Object.keys(s.children)]), [["new", []]]);
  });

  it("PathCache holds a burst whose read was lost with the connection until the redo is in", async () => {
    const { fake, cache } = await loaded(["a", "y"]);
    const seen: string[][] = [];
    cache.listen((s) => seen.push(Object.keys(s.children)));
    fake.event({ type: "NodeCreated", path: "/s/x" });
    fake.event({ type: "NodeDeleted", path: "/s/y" });
    await fake.tick();
    for (const call of fake.calls.splice(0)) {
      call.reject(ZooKeeperError.fromServer("CONNECTIONLOSS", call.op, call.path));
    }
    await cache.settled();
    cache.reconnected();
    await fake.reply("getData", "/s/x", data({ name: "x" }, 9));
    await fake.reply("exists", "/s", stat(1));
    await fake.reply("getChildren2", "/s", { children: ["a", "x"], stat: stat(1) });
    await cache.settled();
    assert.deepEqual(seen, [["a", "x"]]);
    assert.equal(fake.calls.length, 0);
  });

  it("PathCache reads the node after a reconnect only when the listing's Stat shows a change", async () => {
    const { fake, cache } = await loaded(["a"]);
    cache.reconnected();
    await fake.reply("getChildren2", "/s", { children: ["a"], stat: stat(1) });
    await cache.settled();
    assert.equal(fake.calls.length, 0);

    cache.reconnected();
    await fake.reply("getChildren2", "/s", { children: ["a"], stat: stat(7) });
    await fake.reply("getData", "/s", data("changed", 7));
    await cache.settled();
    assert.equal(cache.snapshot!.data, "changed");

    cache.reconnected();
    await fake.tick();
    fake.calls.shift()!.reject(ZooKeeperError.fromServer("NONODE", "list", "/s"));
    await cache.settled();
    assert.equal(cache.snapshot!.stat, null);
    assert.deepEqual({ ...cache.snapshot!.children }, {});
    assert.equal(fake.calls.length, 0);
  });

  it("PathCache falls back to one-shot watches when the server has no addWatch", async () => {
    const fake = fakeClient({ addWatch: "UNIMPLEMENTED" });
    const unsupported: ZooKeeper[] = [];
    const cache = attached(fake, { noPersistentWatches: (zk) => unsupported.push(zk) });
    await fake.reply("getData", "/s", data("node", 1));
    await fake.reply("getChildren", "/s", ["a"]);
    await fake.reply("getData", "/s/a", data({ name: "a" }, 2));
    await cache.settled();
    assert.equal(cache.mode, "oneShot");
    assert.deepEqual(unsupported, [fake.zk]);
    assert.deepEqual(fake.watched, ["getData /s", "getChildren /s", "getData /s/a"]);
    // A child-list event reads the list and only the new child.
    fake.event({ type: "NodeChildrenChanged", path: "/s" });
    await fake.reply("getChildren", "/s", ["a", "b"]);
    await fake.reply("getData", "/s/b", data({ name: "b" }, 3));
    await cache.settled();
    assert.deepEqual(Object.keys(cache.snapshot!.children), ["a", "b"]);
    assert.equal(fake.calls.length, 0);
  });

  for (const lost of [false, true]) {
    it(
      `PathCache lists the node's children again when it comes back after a listing found none (one-shot, ${
        lost ? "the read watching for it lost" : "back before the watch"
      })`,
      async () => {
        const { fake, cache } = await loaded(["a"], "oneShot");
        const fail = async (op: string, code: "NONODE" | "CONNECTIONLOSS") => {
          await fake.tick();
          const i = fake.calls.findIndex((c) => c.op === op && c.path === "/s");
          fake.calls.splice(i, 1)[0].reject(ZooKeeperError.fromServer(code, op, "/s"));
          await fake.tick();
        };
        // Deleted: neither the read nor the listing finds it, and neither sets a watch.
        fake.event({ type: "NodeDeleted", path: "/s" });
        await fail("getData", "NONODE");
        await fail("getChildren", "NONODE");
        // Created again before the watch for its creation is set, or that
        // request lost with the connection: no event will tell.
        if (lost) {
          await fail("exists", "CONNECTIONLOSS");
          cache.reconnected();
        } else await fake.reply("exists", "/s", stat(5));
        await fake.reply("getData", "/s", data("again", 5));
        await fake.reply("getChildren", "/s", ["b"]);
        await fake.reply("getData", "/s/b", data({ name: "b" }, 6));
        await cache.settled();
        assert.equal(cache.snapshot!.data, "again");
        assert.deepEqual(Object.keys(cache.snapshot!.children), ["b"]);
        assert.ok(
          fake.watched.filter((w) => w === "getChildren /s").length >= 2,
          "children watched",
        );
      },
    );
  }
});
