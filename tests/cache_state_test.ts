import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { CacheState } from "../src/registry/cache_state.ts";
import type { Stat } from "../src/protocol/records_data.ts";
import type { SnapshotChange } from "../src/registry/snapshot.ts";
import { ChildTree, type TreeNode } from "../src/registry/child_tree.ts";

const stat = { czxid: 1n, mzxid: 1n } as Stat;

// A change as plain objects, to compare with a literal.
function plain(change: SnapshotChange | undefined) {
  assert.ok(change !== undefined);
  const { added, updated, removed, data } = change;
  return { added: { ...added }, updated: { ...updated }, removed: [...removed], data };
}

// The change from one model of the children to the next (the node's data
// unchanged), names in order.
function changeBetween(before: Map<string, unknown>, after: Map<string, unknown>) {
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  const change = {
    added: {} as Record<string, unknown>,
    updated: {} as Record<string, unknown>,
    removed: [] as string[],
    data: false,
  };
  for (const name of names) {
    if (!after.has(name)) change.removed.push(name);
    else if (!before.has(name)) change.added[name] = after.get(name);
    else if (before.get(name) !== after.get(name)) change.updated[name] = after.get(name);
  }
  return change;
}

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
    state.snapshot("/s");
    let published = new Map(model);
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
        const snapshot = state.snapshot("/s");
        assert.deepEqual({ ...snapshot.children }, expected);
        assert.deepEqual(Object.keys(snapshot.children), Object.keys(expected));
        assert.deepEqual(plain(snapshot.change), changeBetween(published, model));
        published = new Map(model);
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

  it("names what changed: added, updated and removed children and the node's data", () => {
    const state = stateWith(["a", "b", "c"]);
    assert.deepEqual(plain(state.snapshot("/s").change), {
      added: { a: { i: 0 }, b: { i: 1 }, c: { i: 2 } },
      updated: {},
      removed: [],
      data: true,
    });
    const none = { added: {}, updated: {}, removed: [], data: false };
    state.setChild("b", { value: "new b", mzxid: 10n });
    assert.deepEqual(plain(state.snapshot("/s").change), { ...none, updated: { "b": "new b" } });
    state.setChild("d", { value: "d", mzxid: 11n });
    assert.deepEqual(plain(state.snapshot("/s").change), { ...none, added: { d: "d" } });
    state.removeChild("a", state.nextTick());
    assert.deepEqual(plain(state.snapshot("/s").change), { ...none, removed: ["a"] });
    state.setNode({ value: "written", stat: { czxid: 1n, mzxid: 12n } as Stat });
    const written = state.snapshot("/s");
    assert.deepEqual(plain(written.change), { ...none, data: true });
    // Created and deleted between two snapshots: nothing; deleted and
    // created again: updated; the same version read again: nothing.
    state.setChild("e", { value: "e", mzxid: 13n });
    state.removeChild("e", state.nextTick());
    state.removeChild("c", state.nextTick());
    state.setChild("c", { value: "c again", mzxid: 14n });
    state.setChild("d", { value: "d", mzxid: 11n });
    assert.deepEqual(plain(state.snapshot("/s").change), { ...none, updated: { c: "c again" } });
    // A child that cannot be read any more is updated, to null.
    const error = new Error("NOAUTH");
    state.setChild("b", { value: null, mzxid: 0n, error });
    assert.deepEqual(plain(state.snapshot("/s").change), { ...none, updated: { b: null } });
    // The node deleted: every child is removed; created again, added.
    state.setNode(null);
    for (const name of state.names()) state.removeChild(name, state.nextTick());
    assert.deepEqual(plain(state.snapshot("/s").change), {
      ...none,
      removed: ["b", "c", "d"],
      data: true,
    });
    state.setNode({ value: null, stat: { czxid: 20n, mzxid: 20n } as Stat });
    state.setChild("z", { value: "z", mzxid: 21n });
    assert.deepEqual(plain(state.snapshot("/s").change), {
      ...none,
      added: { z: "z" },
      data: true,
    });
    // Not part of the value: deepEqual, spreading and JSON (own enumerable
    // properties) leave it out.
    assert.deepEqual(Object.keys(written), ["path", "data", "stat", "children", "stale"]);
    assert.equal("change" in { ...written }, false);
  });

  it("keeps every frozen tree as it was through random changes", () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const tree = new ChildTree();
    const model = new Map<string, number>();
    const kept: [TreeNode | null, string][] = [];
    const listed = (root: TreeNode | null) => {
      const entries: string[] = [];
      for (const node of nodesOf(root)) {
        node.names.forEach((name, i) => node.values && entries.push(`${name}=${node.values[i]}`));
      }
      return entries.join();
    };
    const expected = () =>
      [...model].sort(([a], [b]) => a < b ? -1 : 1).map(([k, v]) => `${k}=${v}`).join();
    for (let step = 0; step < 20_000; step++) {
      const name = `c${random(3000)}`;
      if (random(3) < 2) {
        tree.set(name, step);
        model.set(name, step);
      } else {
        tree.delete(name);
        model.delete(name);
      }
      if (step % 2000 === 0) {
        tree.freeze();
        kept.push([tree.root, expected()]);
      }
    }
    assert.equal(listed(tree.root), expected());
    for (const [root, entries] of kept) assert.equal(listed(root), entries);
  });

  it("copies only the path to a changed child, and lists children only when read", () => {
    const n = 10_000;
    const tree = new ChildTree();
    for (let i = 0; i < n; i++) tree.set(`host-${(i * 7919) % n}`, { i });
    tree.freeze();
    const before = tree.root;
    tree.set("host-5000", "changed");
    const after = tree.root;
    const shared = new Set(nodesOf(before));
    const made = nodesOf(after).filter((node) => !shared.has(node));
    // One node per level: the leaf of the child and the branches above it.
    assert.equal(made.length, depth(after));
    assert.ok(made.length <= 4, `${made.length} nodes copied`);
    assert.equal(made.filter((node) => node.nodes === undefined).length, 1);
    // Removals empty whole leaves and branches; the root stays what the
    // others need, and `before` is still whole.
    for (let i = 0; i < n; i++) if (i % 1000 !== 0) tree.delete(`host-${i}`);
    const left: string[] = [];
    tree.forEach((name) => left.push(name));
    assert.deepEqual(left, Array.from({ length: 10 }, (_, i) => `host-${i * 1000}`).sort());
    let count = 0;
    for (const node of nodesOf(before)) count += node.nodes === undefined ? node.names.length : 0;
    assert.equal(count, n);
    for (const name of left) tree.delete(name);
    assert.equal(tree.root, null);

    const state = stateWith(Array.from({ length: n }, (_, i) => `host-${i}`));
    const first = state.snapshot("/s");
    // The children are a getter until read; a change of the node's data alone
    // shares them with the snapshot before.
    assert.equal(typeof Object.getOwnPropertyDescriptor(first, "children")?.get, "function");
    const children = first.children;
    state.setNode({ value: "new", stat: { czxid: 1n, mzxid: 5n } as Stat });
    const second = state.snapshot("/s");
    assert.equal(second.children, children);
    state.setChild("host-1", { value: "one", mzxid: 1_000_000n });
    const third = state.snapshot("/s");
    assert.notEqual(third.children, children);
    assert.equal(third.children["host-1"], "one");
    assert.equal(children["host-1"] === "one", false);
    assert.equal(third.children["host-2"], children["host-2"]);
  });
});

function nodesOf(root: TreeNode | null): TreeNode[] {
  if (root === null) return [];
  return [root, ...(root.nodes ?? []).flatMap(nodesOf)];
}

function depth(root: TreeNode | null): number {
  return root === null ? 0 : 1 + (root.nodes === undefined ? 0 : depth(root.nodes[0]));
}
