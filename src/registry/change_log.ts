/**
 * What changed in a path's state since its last snapshot, and the snapshots
 * themselves, whose children are listed only when read.
 *
 * @module
 */

import { forEachChild, leavesOf, type TreeNode } from "./child_tree.ts";
import type { NodeValue } from "./node_data.ts";
import { childRecord, type NodeSnapshot, type NodeStat, type SnapshotChange } from "./snapshot.ts";

/** The children of a snapshot, listed on first read and then kept. */
type Children = () => Record<string, NodeValue>;

/** The changes to a path's children and node between two snapshots. */
export class ChangeLog {
  // Each child changed since the last snapshot, with whether it was in it.
  #touched = new Map<string, boolean>();
  #data = false;
  // The tree of the last snapshot (`null`: no node, or no children), and
  // its children as listed, shared with the next snapshot when they did not
  // change; `undefined` before the first snapshot.
  #published: TreeNode | null | undefined;
  #children: Children | undefined;

  /** The node's data or existence changed. */
  nodeChanged(): void {
    this.#data = true;
  }

  /**
   * A child was added, updated or removed.
   *
   * @param name The child's name.
   * @param known Whether it was known before this change.
   */
  touch(name: string, known: boolean): void {
    if (!this.#touched.has(name)) this.#touched.set(name, known);
  }

  /**
   * What changed since the last call, which starts the next log.
   *
   * @param root The tree the new snapshot shows (`null` when the node does
   *   not exist).
   * @param value A child's value in it, `undefined` when it is not there.
   * @returns The change.
   */
  take(root: TreeNode | null, value: (name: string) => NodeValue | undefined): SnapshotChange {
    const before = this.#published;
    const touched = this.#touched;
    const change: SnapshotChange = before === undefined || (before === null) !== (root === null)
      ? diff(before ?? null, root, this.#data || before === undefined)
      : fromLog(touched, root === null ? undefined : value, this.#data);
    this.#touched = new Map();
    this.#data = false;
    if (before !== root || this.#children === undefined) this.#children = listed(root);
    this.#published = root;
    return change;
  }

  /**
   * A snapshot of the tree of the last {@linkcode ChangeLog.take}.
   *
   * @param path The path.
   * @param data The node's data.
   * @param stat The node's stat, `null` when it does not exist.
   * @param change What changed.
   * @returns The snapshot: its `children` are listed when first read.
   */
  snapshot(
    path: string,
    data: NodeValue,
    stat: NodeStat | null,
    change: SnapshotChange,
  ): NodeSnapshot {
    const children = this.#children!;
    const snapshot: NodeSnapshot = {
      path,
      data,
      stat,
      get children(): Record<string, NodeValue> {
        return children();
      },
      set children(value: Record<string, NodeValue>) {
        Object.defineProperty(this, "children", {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      },
      stale: false,
    };
    Object.defineProperty(snapshot, "change", {
      value: change,
      writable: true,
      configurable: true,
    });
    return snapshot;
  }
}

// The children under `root` as a record, listed once, on the first call.
function listed(root: TreeNode | null): Children {
  let record: Record<string, NodeValue> | undefined;
  return () => record ??= childrenOf(root);
}

function childrenOf(root: TreeNode | null): Record<string, NodeValue> {
  const children = childRecord<NodeValue>();
  for (const leaf of leavesOf(root)) {
    const { names, values } = leaf;
    for (let i = 0; i < names.length; i++) children[names[i]] = values![i];
  }
  return children;
}

// The change the log of touched children tells (`value` undefined: the node
// does not exist, so no child shows).
function fromLog(
  touched: Map<string, boolean>,
  value: ((name: string) => NodeValue | undefined) | undefined,
  data: boolean,
): SnapshotChange {
  const added = childRecord<NodeValue>();
  const updated = childRecord<NodeValue>();
  const removed: string[] = [];
  if (value !== undefined && touched.size > 0) {
    for (const name of [...touched.keys()].sort()) {
      const current = value(name);
      if (current === undefined) {
        if (touched.get(name)) removed.push(name);
      } else if (touched.get(name)) updated[name] = current;
      else added[name] = current;
    }
  }
  return { added, updated, removed, data };
}

// Every difference between two trees, when the node came or went (or on the
// first snapshot): a child in both is updated when its value changed.
function diff(before: TreeNode | null, after: TreeNode | null, data: boolean): SnapshotChange {
  const old = new Map<string, NodeValue>();
  forEachChild(before, (name, value) => old.set(name, value));
  const added = childRecord<NodeValue>();
  const updated = childRecord<NodeValue>();
  forEachChild(after, (name, value) => {
    if (!old.has(name)) added[name] = value;
    else if (old.get(name) !== value) updated[name] = value;
    old.delete(name);
  });
  return { added, updated, removed: [...old.keys()], data };
}
