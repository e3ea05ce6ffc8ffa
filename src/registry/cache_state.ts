/**
 * What a path cache knows: the node, its children, and the stamps that order
 * replies against events. A reply is applied only if nothing it covers was
 * stamped after it was asked for; the later event has its own read, so
 * events and replies may be handled in either order.
 *
 * @module
 */

import type { Stat } from "../protocol/records_data.ts";
import type { NodeValue } from "./node_data.ts";
import { childRecord, emptySnapshot, type NodeSnapshot, nodeStat } from "./snapshot.ts";

/** A child as the cache keeps it. */
export interface CachedChild {
  /** Its decoded data (`null` for names only). */
  value: NodeValue;
  /** The zxid of its last change (0 for names only or unreadable). */
  mzxid: bigint;
  /** Why its data could not be read (its value is then `null`). */
  error?: Error | undefined;
}

/** The node as the cache keeps it. */
export interface CachedNode {
  /** Its decoded data. */
  value: NodeValue;
  /** Its Stat as read. */
  stat: Stat;
}

/** The known state of one path, with the stamps of the events that changed it. */
export class CacheState {
  // The children as two parallel arrays, in name order up to #sorted; the
  // children added since come after, unsorted, and are merged in before the
  // next snapshot or lookup by position. A snapshot is then one pass, and a
  // burst of additions (a first read) costs one sort, not one shift each.
  #names: string[] = [];
  #values: NodeValue[] = [];
  #sorted = 0;
  readonly #mzxids = new Map<string, bigint>();
  readonly #childStamps = new Map<string, number>();
  // The ticks of deletion events: a stamp no read of its own follows.
  readonly #deletions = new Map<string, number>();
  readonly #errors = new Map<string, Error>();
  #node: CachedNode | null = null;
  #tick = 0;
  #nodeStamp = 0;
  #listStamp = 0;
  #dirty = false;

  /** The current tick: a request asked for now is stamped with it. */
  get tick(): number {
    return this.#tick;
  }

  /** Whether something changed since the last snapshot. */
  get dirty(): boolean {
    return this.#dirty;
  }

  /** How many children are known. */
  get size(): number {
    return this.#names.length;
  }

  /** The names of the known children, in name order. */
  names(): string[] {
    this.#order();
    return this.#names.slice();
  }

  /**
   * @param name A child's name.
   * @returns Whether it is known.
   */
  has(name: string): boolean {
    return this.#mzxids.has(name);
  }

  /** Starts the stamp of a new event and returns it. */
  nextTick(): number {
    return ++this.#tick;
  }

  /** Stamps the node (its data or its existence changed) at `tick`. */
  stampNode(tick: number): void {
    this.#nodeStamp = tick;
  }

  /** Stamps the list of children at `tick`. */
  stampList(tick: number): void {
    this.#listStamp = tick;
  }

  /** Stamps a child at `tick`. */
  stampChild(name: string, tick: number): void {
    if (tick > (this.#childStamps.get(name) ?? 0)) this.#childStamps.set(name, tick);
  }

  /** Whether a reply about the node asked at `asked` is still news. */
  nodeFresh(asked: number): boolean {
    return this.#nodeStamp <= asked;
  }

  /** Whether a listing asked at `asked` is still news. */
  listFresh(asked: number): boolean {
    return this.#listStamp <= asked;
  }

  /**
   * Whether the event that makes a reply about a child asked at `asked` old
   * news was its deletion, which reads nothing: a listing that names the
   * child may then be older than the deletion or newer than its creation
   * again, and only another read can tell.
   */
  deletedSince(name: string, asked: number): boolean {
    const stamp = this.#childStamps.get(name) ?? 0;
    return stamp > asked && this.#deletions.get(name) === stamp;
  }

  /** Whether a reply about a child asked at `asked` is still news. */
  childFresh(name: string, asked: number): boolean {
    return (this.#childStamps.get(name) ?? 0) <= asked;
  }

  /**
   * Forgets every stamp. With no reply awaited none is needed any more, and
   * deleted children leave nothing behind.
   */
  clearStamps(): void {
    this.#childStamps.clear();
    this.#deletions.clear();
  }

  /** Sets the node (`null`: it does not exist). */
  setNode(node: CachedNode | null): void {
    const changed = node === null ? this.#node !== null : this.nodeChanged(node.stat);
    this.#node = node;
    if (changed) this.#dirty = true;
  }

  /**
   * @param stat The node's Stat as read now.
   * @returns Whether the node was created again or its data changed since it
   *   was read (or it was not known to exist).
   */
  nodeChanged(stat: Stat): boolean {
    const node = this.#node;
    return node === null || node.stat.czxid !== stat.czxid || node.stat.mzxid !== stat.mzxid;
  }

  /** Adds or updates a child. */
  setChild(name: string, child: CachedChild): void {
    const before = this.#mzxids.get(name);
    this.#mzxids.set(name, child.mzxid);
    const error = child.error;
    if (error !== this.#errors.get(name)) {
      if (error === undefined) this.#errors.delete(name);
      else this.#errors.set(name, error);
      this.#dirty = true;
    }
    if (before === undefined) {
      this.#names.push(name);
      this.#values.push(child.value);
    } else {
      const at = this.#indexOf(name);
      this.#values[at] = child.value;
    }
    if (before !== child.mzxid) this.#dirty = true;
  }

  /** Removes a child, stamping it at `tick` so that older replies cannot bring it back. */
  removeChild(name: string, tick: number): void {
    this.stampChild(name, tick);
    if (this.#childStamps.get(name) === tick) this.#deletions.set(name, tick);
    this.#errors.delete(name);
    if (!this.#mzxids.delete(name)) return;
    const at = this.#indexOf(name);
    this.#names.splice(at, 1);
    this.#values.splice(at, 1);
    this.#sorted--;
    this.#dirty = true;
  }

  // Where a known child is in the names.
  #indexOf(name: string): number {
    this.#order();
    return this.#search(name, this.#names.length);
  }

  // Where `name` is among the first `length` (sorted) names, or would go.
  #search(name: string, length: number): number {
    const names = this.#names;
    let low = 0;
    let high = length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (names[middle] < name) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  // Merges the children added since the last ordering into the sorted ones.
  #order(): void {
    const names = this.#names;
    const values = this.#values;
    const sorted = this.#sorted;
    this.#sorted = names.length;
    if (sorted === names.length) return;
    if (sorted === names.length - 1) {
      const name = names.pop()!;
      const value = values.pop()!;
      const at = this.#search(name, sorted);
      names.splice(at, 0, name);
      values.splice(at, 0, value);
      return;
    }
    const added: number[] = [];
    for (let i = sorted; i < names.length; i++) added.push(i);
    added.sort((a, b) => names[a] < names[b] ? -1 : 1);
    const mergedNames: string[] = new Array(names.length);
    const mergedValues: NodeValue[] = new Array(names.length);
    let i = 0;
    let j = 0;
    for (let k = 0; k < names.length; k++) {
      const from = j === added.length || (i < sorted && names[i] < names[added[j]])
        ? i++
        : added[j++];
      mergedNames[k] = names[from];
      mergedValues[k] = values[from];
    }
    this.#names = mergedNames;
    this.#values = mergedValues;
  }

  /**
   * The state as a snapshot, children in name order; clears `dirty`.
   *
   * @param path The path.
   * @returns The snapshot.
   */
  snapshot(path: string): NodeSnapshot {
    this.#dirty = false;
    const node = this.#node;
    if (node === null) return emptySnapshot(path);
    this.#order();
    const names = this.#names;
    const values = this.#values;
    const children = childRecord<NodeValue>();
    for (let i = 0; i < names.length; i++) children[names[i]] = values[i];
    const stat = nodeStat(node.stat, names.length);
    const snapshot: NodeSnapshot = { path, data: node.value, stat, children, stale: false };
    if (this.#errors.size > 0) {
      const errors = snapshot.errors = childRecord<Error>();
      for (const [name, error] of this.#errors) errors[name] = error;
    }
    return snapshot;
  }
}
