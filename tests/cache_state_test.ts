import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { CacheState } from "../src/registry/cache_state.ts";
import type { Stat } from "../src/protocol/records_data.ts";

const stat = { czxid: 1n, mzxid: 1n } as Stat;

function stateWith(names: string[]): CacheState {
  const state = new CacheState();
  state.setNode({ value: null, stat });
  names.forEach((name, i) => state.setChild(name, { value: { i }, mzxid: BigInt(i + 2) }));
  return state;
}

describe("CacheState", () => {
  it("keeps children in name order whatever order they come in", () => {
    const names = Array.from({ length: 200 }, (_, i) => `n${(i * 7919) % 200}`);
    const state = stateWith(names);
    const sorted = [...names].sort();
    assert.deepEqual(Object.keys(state.snapshot("/s").children), sorted);
    assert.deepEqual(state.names(), sorted);
    state.removeChild("n0", state.nextTick());
    state.removeChild("n99", state.nextTick());
    state.setChild("n99", { value: "back", mzxid: 500n });
    state.setChild("a", { value: "first", mzxid: 501n });
    const children = state.snapshot("/s").children;
    assert.deepEqual(Object.keys(children), ["a", ...sorted.filter((n) => n !== "n0")]);
    assert.equal(children.n99, "back");
    assert.equal(state.size, 200);
  });

  it("agrees with a sorted map over random additions, updates, removals and snapshots", () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const state = new CacheState();
    state.setNode({ value: null, stat });
    const model = new Map<string, unknown>();
    let zxid = 2n;
    for (let step = 0; step < 5000; step++) {
      const name = `c${random(300)}`;
      const roll = random(10);
      if (roll < 5) {
        const value = { step };
        state.setChild(name, { value, mzxid: zxid++ });
        model.set(name, value);
      } else if (roll < 8) {
        state.removeChild(name, state.nextTick());
        model.delete(name);
      } else if (roll < 9) {
        const expected = Object.fromEntries([...model].sort(([a], [b]) => a < b ? -1 : 1));
        assert.deepEqual({ ...state.snapshot("/s").children }, expected);
        assert.deepEqual(Object.keys(state.snapshot("/s").children), Object.keys(expected));
      } else {
        assert.equal(state.has(name), model.has(name));
        assert.equal(state.size, model.size);
      }
    }
  });

  it("leaves a published snapshot as it was when the state changes", () => {
    const state = stateWith(["b", "a", "c"]);
    const first = state.snapshot("/s");
    state.setChild("b", { value: "new", mzxid: 100n });
    state.removeChild("a", state.nextTick());
    state.setChild("d", { value: "d", mzxid: 101n });
    assert.deepEqual({ ...first.children }, { a: { i: 1 }, b: { i: 0 }, c: { i: 2 } });
    assert.deepEqual({ ...state.snapshot("/s").children }, { b: "new", c: { i: 2 }, d: "d" });
  });

  it("is dirty only when a child's zxid, the set of children or the node changes", () => {
    const state = stateWith(["a"]);
    state.snapshot("/s");
    assert.equal(state.dirty, false);
    state.setChild("a", { value: { i: 0 }, mzxid: 2n });
    assert.equal(state.dirty, false);
    state.removeChild("missing", state.nextTick());
    assert.equal(state.dirty, false);
    state.setChild("a", { value: "changed", mzxid: 3n });
    assert.equal(state.dirty, true);
    state.snapshot("/s");
    state.removeChild("a", state.nextTick());
    assert.equal(state.dirty, true);
    assert.deepEqual({ ...state.snapshot("/s").children }, {});
  });
});
