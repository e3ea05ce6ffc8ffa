import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { LazyDeleteMap } from "../src/util/lazy_delete_map.ts";
import { seededRandom } from "./helpers/random.ts";

describe("LazyDeleteMap", () => {
  it("agrees with a Map over random stores, deletions and clears, across rebuilds", () => {
    for (const seed of [1, 2, 3]) {
      const random = seededRandom(seed);
      const pick = (n: number) => Math.floor(random() * n);
      const map = new LazyDeleteMap<string, number>();
      const model = new Map<string, number>();
      for (let step = 0; step < 20_000; step++) {
        // Few keys, then many stored, then most of them deleted again.
        const key = `k${pick(step < 10_000 ? 40 : 2_000)}`;
        const stores = step < 10_000 ? 45 : step < 14_000 ? 70 : 20;
        const roll = pick(100);
        if (roll < stores) {
          map.set(key, step);
          model.set(key, step);
        } else if (roll < 90) {
          assert.equal(map.delete(key), model.delete(key), `delete ${key} at ${step}`);
        } else if (roll < 99) {
          assert.equal(map.get(key), model.get(key));
          assert.equal(map.has(key), model.has(key));
          assert.equal(map.size, model.size);
        } else if (step < 10_000 && step % 7 === 0) {
          map.clear();
          model.clear();
        } else {
          assert.deepEqual(map.keys().sort(), [...model.keys()].sort(), `seed ${seed}`);
          assert.deepEqual(map.values().sort(), [...model.values()].sort());
        }
      }
    }
  });

  it("keeps the entry of a key deleted and set again, in its place among the others", () => {
    const map = new LazyDeleteMap<string, number>();
    map.set("a", 1);
    map.set("b", 2);
    assert.equal(map.delete("a"), true);
    assert.equal(map.delete("a"), false);
    assert.equal(map.get("a"), undefined);
    assert.equal(map.size, 1);
    assert.deepEqual(map.keys(), ["b"]);
    map.set("a", 3);
    assert.deepEqual(map.keys(), ["a", "b"], "a Map would list b first");
    assert.deepEqual(map.values(), [3, 2]);
    assert.equal(map.size, 2);
  });

  it("lets marks go once they outnumber the live entries, and keeps a few", () => {
    const map = new LazyDeleteMap<number, number>();
    for (let i = 0; i < 100; i++) map.set(i, i);
    // The 51st deletion makes the marks outnumber the live entries.
    for (let i = 0; i < 51; i++) map.delete(i);
    map.set(0, 0);
    const live = Array.from({ length: 49 }, (_, i) => 51 + i);
    assert.deepEqual(map.keys(), [...live, 0], "the live entries in their order, 0 made anew");
    map.delete(0);
    for (let i = 51; i < 100; i++) map.delete(i);
    assert.equal(map.size, 0);
    for (let i = 100; i < 200; i++) map.set(i, i);
    map.set(0, 0);
    map.set(99, 99);
    const keys = map.keys();
    assert.equal(keys.length, 102);
    assert.equal(keys.at(-1), 0, "the mark of 0 was let go: its entry is new");
    assert.equal(keys[0], 99, "the mark of 99, among the last few, was kept");
  });
});
