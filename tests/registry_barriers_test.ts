/**
 * The transaction barriers that the caches of one registry share: one
 * `exists` holds back every cache that heard an event before it was sent,
 * and none that heard one after.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { Barriers } from "../src/registry/barriers.ts";
import { PathCache } from "../src/registry/path_cache.ts";
import type { NodeSnapshot } from "../src/registry/snapshot.ts";
import { ZooKeeperError } from "../mod.ts";
import { data, fakeClient, stat } from "./helpers/fake_cache_client.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";

/** Caches of `paths` on one fake client, sharing barriers, each loaded with the child "a". */
async function loaded(paths: string[]) {
  const fake = fakeClient();
  const barriers = new Barriers();
  const published = new Map<string, string[]>();
  const caches = paths.map((path) => {
    published.set(path, []);
    const cache = new PathCache(path, true, {
      gate: () => Promise.resolve(),
      onSnapshot: (s: NodeSnapshot) => published.get(path)!.push(Object.keys(s.children).join()),
      onError: (e) => assert.fail(String(e)),
      modeFor: () => "persistent",
      noPersistentWatches: () => {},
      clock: new FakeClock(),
      barriers,
    });
    cache.attach(fake.zk);
    return cache;
  });
  for (const path of paths) {
    await fake.reply("getData", path, data("node", 1));
    await fake.reply("getChildren", path, ["a"]);
    await fake.reply("getData", `${path}/a`, data({ name: "a" }, 2));
  }
  for (const cache of caches) await cache.settled();
  return { fake, caches, published };
}

const exists = (sent: string[]) => sent.filter((s) => s.startsWith("exists "));

describe("Barriers", () => {
  it("caches that heard their events before the barrier went out share it", async () => {
    const { fake, published } = await loaded(["/s", "/t"]);
    fake.sent.length = 0;
    fake.event({ type: "NodeDeleted", path: "/s/a" });
    fake.event({ type: "NodeDeleted", path: "/t/a" });
    await fake.tick();
    assert.deepEqual(exists(fake.sent), ["exists /s"]);
    await fake.reply("exists", "/s", stat(3));
    assert.deepEqual(Object.fromEntries(published), { "/s": ["a", ""], "/t": ["a", ""] });
  });

  it("a cache that hears an event after the barrier went out sends its own", async () => {
    const { fake, published } = await loaded(["/s", "/t"]);
    fake.sent.length = 0;
    fake.event({ type: "NodeDeleted", path: "/s/a" });
    await fake.tick();
    // The barrier of /s is on the wire: the next event may belong to a
    // transaction whose other events come after its reply.
    fake.event({ type: "NodeDeleted", path: "/t/a" });
    await fake.tick();
    assert.deepEqual(exists(fake.sent), ["exists /s", "exists /t"]);
    await fake.reply("exists", "/s", stat(3));
    assert.deepEqual(Object.fromEntries(published), { "/s": ["a", ""], "/t": ["a"] });
    await fake.reply("exists", "/t", stat(4));
    assert.deepEqual(Object.fromEntries(published), { "/s": ["a", ""], "/t": ["a", ""] });
  });

  it("a barrier lost with the connection is sent again, once for the caches that shared it", async () => {
    const { fake, caches, published } = await loaded(["/s", "/t"]);
    fake.sent.length = 0;
    fake.event({ type: "NodeDeleted", path: "/s/a" });
    fake.event({ type: "NodeDeleted", path: "/t/a" });
    await fake.tick();
    fake.calls.splice(fake.calls.findIndex((c) => c.op === "exists"), 1)[0].reject(
      ZooKeeperError.fromServer("CONNECTIONLOSS", "exists", "/s"),
    );
    await fake.tick();
    assert.deepEqual(Object.fromEntries(published), { "/s": ["a"], "/t": ["a"] }, "held back");
    for (const cache of caches) cache.reconnected();
    await fake.tick();
    assert.deepEqual(exists(fake.sent), ["exists /s", "exists /s"]);
    await fake.reply("exists", "/s", stat(3));
    // The listing a reconnection makes (for additions while away).
    for (const path of ["/s", "/t"]) {
      await fake.reply("getChildren2", path, { children: [], stat: { ...stat(1), pzxid: 3n } });
    }
    for (const cache of caches) await cache.settled();
    assert.deepEqual(Object.fromEntries(published), { "/s": ["a", ""], "/t": ["a", ""] });
  });
});
