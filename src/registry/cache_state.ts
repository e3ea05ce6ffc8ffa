/**
 * What a path cache knows: the node, its children, and the stamps that order
 * replies against events. A reply is applied only if nothing it covers was
 * stamped after it was asked for; the later event has its own read, so
 * events and replies may be handled in either order.
 *
 * @module
 */

import type { Stat } from "../protocol/records_data.ts";
import { LazyDeleteMap } from "../util/lazy_delete_map.ts";
import type { NodeValue } from "./node_data.ts";
import { ChildTree } from "./child_tree.ts";
import { ChangeLog } from "./change_log.ts";
import { childRecord, type NodeSnapshot, type NodeStat, nodeStat } from "./snapshot.ts";

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
  // The children by name in a persistent tree: a snapshot keeps the tree it
  // was made from and lists it only when its `children` are read, so a
  // change costs O(log N), not a copy of every child.
  readonly #tree = new ChildTree();
  readonly #changes = new ChangeLog();
  // A child removed and added again (an instance restarting under the same
  // name) keeps its entry (see LazyDeleteMap).
  readonly #mzxids = new LazyDeleteMap<string, bigint>();
  readonly #childStamps = new Map<string, number>();
  // The ticks of deletion events: a stamp no read of its own follows.
  readonly #deletions = new Map<string, number>();
  readonly #errors = new Map<string, Error>();
  #node: CachedNode | null = null;
  #tick = 0;
  #nodeStamp = 0;
  #listStamp = 0;
  #dirty = false;
  // What the last snapshot shares with the next one when it did not change.
  #stat: NodeStat | null = null;
  #statOf: { node: CachedNode; size: number } | undefined;
  #errorRecord: Record<string, Error> | undefined;
  #errorsChanged = false;

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
    return this.#mzxids.size;
  }

  /** The names of the known children, in name order. */
  names(): string[] {
    const names: string[] = [];
    this.#tree.forEach((name) => names.push(name));
    return names;
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
    if (changed) {
      this.#dirty = true;
      this.#changes.nodeChanged();
    }
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
    let changed = before !== child.mzxid;
    const error = child.error;
    if (error !== this.#errors.get(name)) {
      if (error === undefined) this.#errors.delete(name);
      else this.#errors.set(name, error);
      this.#errorsChanged = changed = true;
    }
    // The same version read again holds the same value.
    if (!changed) return;
    this.#changes.touch(name, before !== undefined);
    this.#tree.set(name, child.value);
    this.#dirty = true;
  }

  /** Removes a child, stamping it at `tick` so that older replies cannot bring it back. */
  removeChild(name: string, tick: number): void {
    this.stampChild(name, tick);
    if (this.#childStamps.get(name) === tick) this.#deletions.set(name, tick);
    if (this.#errors.delete(name)) this.#errorsChanged = true;
    if (!this.#mzxids.delete(name)) return;
    this.#changes.touch(name, true);
    this.#tree.delete(name);
    this.#dirty = true;
  }

  /**
   * The state as a snapshot, children in name order; clears `dirty`. Its
   * `children` are listed when first read, from the tree as it is now; its
   * `change` holds what changed since the last snapshot.
   *
   * @param path The path.
   * @returns The snapshot.
   */
  snapshot(path: string): NodeSnapshot {
    this.#dirty = false;
    const node = this.#node;
    const tree = this.#tree;
    const root = node === null ? null : tree.root;
    tree.freeze();
    const change = this.#changes.take(root, (name) => tree.get(name));
    const snapshot = this.#changes.snapshot(path, node?.value ?? null, this.#nodeStat(), change);
    if (this.#errors.size > 0) snapshot.errors = this.#errorsRecord();
    return snapshot;
  }

  #nodeStat(): NodeStat | null {
    const node = this.#node;
    if (node === null) return null;
    const size = this.#mzxids.size;
    const of = this.#statOf;
    if (of === undefined || of.node !== node || of.size !== size) {
      this.#stat = nodeStat(node.stat, size);
      this.#statOf = { node, size };
    }
    return this.#stat;
  }

  #errorsRecord(): Record<string, Error> {
    if (this.#errorRecord === undefined || this.#errorsChanged) {
      const errors = this.#errorRecord = childRecord<Error>();
      for (const [name, error] of this.#errors) errors[name] = error;
      this.#errorsChanged = false;
    }
    return this.#errorRecord;
  }
}
