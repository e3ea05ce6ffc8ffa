/**
 * A path's children by name, as a persistent B-tree: a change copies only
 * the nodes on its way down (O(log N)), and every other node is shared with
 * the trees taken before it, so a snapshot can keep the tree it was made
 * from for as long as it lives and list it only when asked.
 *
 * Nodes made since the last `freeze` are changed in place: a burst of
 * changes between two snapshots (the first read of a service) copies each
 * node once, not once per change.
 *
 * @module
 */

import type { NodeValue } from "./node_data.ts";

/** The most entries a node holds before it splits. */
const MAX = 32;

/** A node of the tree: a leaf holds children, a branch holds nodes. */
export interface TreeNode {
  /** The edit that made it: only that edit may change it in place. */
  edit: number;
  /** A leaf's names; a branch's smallest name of each of its nodes. */
  names: string[];
  /** A leaf's values, in the order of `names`. */
  values: NodeValue[] | undefined;
  /** A branch's nodes, in name order. */
  nodes: TreeNode[] | undefined;
}

/** The children of one path, changed in place between two `freeze` calls. */
export class ChildTree {
  #root: TreeNode | null = null;
  #edit = 1;

  /**
   * The current root, for a snapshot: the nodes it reaches are never changed
   * again once {@linkcode ChildTree.freeze} is called.
   */
  get root(): TreeNode | null {
    return this.#root;
  }

  /** Ends the current edit: later changes copy what they change. */
  freeze(): void {
    this.#edit++;
  }

  /**
   * Calls `each` with every child, in name order.
   *
   * @param each Receives each name and value.
   */
  forEach(each: (name: string, value: NodeValue) => void): void {
    forEachChild(this.#root, each);
  }

  /**
   * @param name A child's name.
   * @returns Its value, `undefined` when it is not in the tree.
   */
  get(name: string): NodeValue | undefined {
    let node = this.#root;
    while (node !== null) {
      if (node.nodes !== undefined) {
        node = node.nodes[branchIndex(node.names, name)];
        continue;
      }
      const i = search(node.names, name);
      return node.names[i] === name ? node.values![i] : undefined;
    }
    return undefined;
  }

  /**
   * Adds a child or replaces its value.
   *
   * @param name The child's name.
   * @param value Its value.
   */
  set(name: string, value: NodeValue): void {
    const root = this.#root;
    if (root === null) {
      this.#root = { edit: this.#edit, names: [name], values: [value], nodes: undefined };
      return;
    }
    const split = this.#set(root, name, value);
    const top = this.#root!;
    if (split !== undefined) {
      this.#root = {
        edit: this.#edit,
        names: [top.names[0], split.names[0]],
        values: undefined,
        nodes: [top, split],
      };
    }
  }

  /**
   * Removes a child.
   *
   * @param name The child's name.
   */
  delete(name: string): void {
    const root = this.#root;
    if (root === null) return;
    let top = this.#delete(root, name);
    while (top !== null && top.nodes !== undefined && top.nodes.length === 1) top = top.nodes[0];
    this.#root = top;
  }

  // Sets in `node`'s subtree, storing the (maybe copied) node where it was;
  // returns the right half when the node split.
  #set(
    node: TreeNode,
    name: string,
    value: NodeValue,
    parent?: TreeNode,
    at = 0,
  ): TreeNode | undefined {
    const own = this.#own(node, parent, at);
    const names = own.names;
    if (own.nodes === undefined) {
      const values = own.values!;
      const i = search(names, name);
      if (names[i] === name) {
        values[i] = value;
        return undefined;
      }
      names.splice(i, 0, name);
      values.splice(i, 0, value);
      if (names.length <= MAX) return undefined;
      const half = names.length >>> 1;
      return {
        edit: this.#edit,
        names: names.splice(half),
        values: values.splice(half),
        nodes: undefined,
      };
    }
    const i = branchIndex(names, name);
    if (i === 0 && name < names[0]) names[0] = name;
    const split = this.#set(own.nodes[i], name, value, own, i);
    if (split === undefined) return undefined;
    names.splice(i + 1, 0, split.names[0]);
    own.nodes.splice(i + 1, 0, split);
    if (names.length <= MAX) return undefined;
    const half = names.length >>> 1;
    return {
      edit: this.#edit,
      names: names.splice(half),
      values: undefined,
      nodes: own.nodes.splice(half),
    };
  }

  // Deletes from `node`'s subtree; returns the node as it is after, `null`
  // when it is left empty. Underfull nodes are not merged: the tree is never
  // deeper than the most children it ever held needs.
  #delete(node: TreeNode, name: string): TreeNode | null {
    const names = node.names;
    if (node.nodes === undefined) {
      const i = search(names, name);
      if (names[i] !== name) return node;
      if (names.length === 1) return null;
      const own = this.#copy(node);
      own.names.splice(i, 1);
      own.values!.splice(i, 1);
      return own;
    }
    const i = branchIndex(names, name);
    const child = node.nodes[i];
    const after = this.#delete(child, name);
    if (after === child) return node;
    if (after === null && names.length === 1) return null;
    const own = this.#copy(node);
    if (after === null) {
      own.names.splice(i, 1);
      own.nodes!.splice(i, 1);
    } else {
      own.names[i] = after.names[0];
      own.nodes![i] = after;
    }
    return own;
  }

  // `node` itself when this edit made it, else a copy put in its place.
  #own(node: TreeNode, parent: TreeNode | undefined, at: number): TreeNode {
    const own = this.#copy(node);
    if (own === node) return own;
    if (parent === undefined) this.#root = own;
    else parent.nodes![at] = own;
    return own;
  }

  #copy(node: TreeNode): TreeNode {
    if (node.edit === this.#edit) return node;
    return {
      edit: this.#edit,
      names: node.names.slice(),
      values: node.values?.slice(),
      nodes: node.nodes?.slice(),
    };
  }
}

/**
 * Calls `each` with every child under `root`, in name order.
 *
 * @param root A root the tree gave.
 * @param each Receives each name and value.
 */
export function forEachChild(
  root: TreeNode | null,
  each: (name: string, value: NodeValue) => void,
): void {
  for (const leaf of leavesOf(root)) {
    const { names, values } = leaf;
    for (let i = 0; i < names.length; i++) each(names[i], values![i]);
  }
}

/**
 * The leaves under `root`, in name order.
 *
 * @param root A root the tree gave.
 * @returns The leaves.
 */
export function leavesOf(root: TreeNode | null): TreeNode[] {
  if (root === null) return [];
  let level = [root];
  while (level[0].nodes !== undefined) level = level.flatMap((node) => node.nodes!);
  return level;
}

// Where `name` is among sorted `names`, or would go.
function search(names: string[], name: string): number {
  let low = 0;
  let high = names.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (names[middle] < name) low = middle + 1;
    else high = middle;
  }
  return low;
}

// The node of a branch whose range holds `name`: the last one whose smallest
// name is not after it (the first one for a name before them all).
function branchIndex(names: string[], name: string): number {
  const i = search(names, name);
  return i < names.length && names[i] === name ? i : Math.max(0, i - 1);
}
