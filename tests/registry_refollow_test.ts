/**
 * A path released and followed again at once: the old cache's watches are
 * removed without taking the new cache's with them; a lookup whose first
 * read a release interrupts follows the path anew.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { Registry } from "../mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually } from "./helpers/wait.ts";

describe("Registry following a released path again", () => {
  const fx = useZooKeeper();

  for (const persistentWatches of [true, false]) {
    for (const [childData, settled] of [[true, true], [false, true], [true, false]]) {
      it(`off() then onChange() at once reports the next child (persistentWatches: ${persistentWatches}, childData: ${childData}, first read done: ${settled})`, async () => {
        await using root = await fx.chroot();
        const admin = await root.connect();
        await admin.create("/svc", "x");
        await admin.create("/svc/a", "1");
        await using registry = await Registry.connect({
          servers: root.connectString,
          persistentWatches,
          childData,
        });
        const off = registry.onChange("/svc", () => {});
        if (settled) await registry.get("/svc");
        off();
        const seen: string[] = [];
        let data: unknown;
        registry.onChange("/svc", (snapshot) => {
          seen.push(Object.keys(snapshot.children).join());
          data = snapshot.children.a;
        });
        const first = await registry.get("/svc");
        assert.equal(Object.keys(first.children).join(), "a");
        await admin.create("/svc/b", "2");
        await eventually(() => seen.at(-1) === "a,b", "the new child reported", 10_000);
        await admin.setData("/svc/a", "3");
        await admin.create("/svc/c", "4");
        await eventually(() => seen.at(-1) === "a,b,c", "the next child reported", 10_000);
        assert.ok(seen.length >= 2);
        // A child's data change is kept too, when the lookup reads data.
        await eventually(() => data === (childData ? 3 : null), "the child's change reported");
      });
    }
  }

  it("a lookup with a callback that a release interrupts reads the path and hears its changes", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    await admin.create("/svc", "1");
    await using registry = await Registry.connect({ servers: root.connectString });
    const seen: unknown[] = [];
    const first = registry.get("/svc", (snapshot) => seen.push(snapshot.data));
    await registry.release("/svc");
    const snapshot = await first;
    assert.equal(snapshot.data, 1);
    assert.equal(snapshot.stale, false);
    await admin.setData("/svc", "2");
    await eventually(() => seen.at(-1) === 2, "the change reported");
  });
});
