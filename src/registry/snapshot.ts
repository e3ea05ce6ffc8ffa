/**
 * What a lookup returns: a node, its data and its children's data, as one
 * immutable value.
 *
 * @module
 */

import type { Stat } from "../protocol/records_data.ts";
import type { NodeValue } from "./node_data.ts";

/**
 * The part of a node's Stat that a followed path keeps true. A child's
 * creation or deletion costs no read of the node, so `cversion` and `pzxid`
 * (and `aversion`, which no watch reports) are left out; `numChildren` counts
 * the children of the snapshot.
 */
export type NodeStat = Omit<Stat, "cversion" | "pzxid" | "aversion">;

/** What `get()` returns: a node, its data and its children's data. */
export interface NodeSnapshot {
  /** The path. */
  path: string;
  /** The node's data: parsed JSON, else the raw text, `null` when empty or missing. */
  data: NodeValue;
  /**
   * What the cache knows of the node's Stat, `null` when it does not exist:
   * its data fields as of its last data change, and `numChildren` counting
   * `children`.
   */
  stat: NodeStat | null;
  /**
   * Each child's name and data, decoded like `data`, in name order; every
   * value is `null` for a names-only lookup (`childData: false`). The object
   * has no prototype: a child may be named `__proto__` or `constructor`. A
   * followed path's snapshot lists it the first time it is read, from the
   * children as they were when the snapshot was made, and keeps it; two
   * snapshots whose children are the same share it.
   */
  children: Record<string, NodeValue>;
  /**
   * The children whose data could not be read (such as `NOAUTH`, for a child
   * whose ACL does not let the registry read it), each with its error; such
   * a child is in `children` with `null`. Absent when every child was read.
   * A failed read sets no watch on the child, so a change of its data is
   * seen only when the path is read again (a new session); its deletion is
   * seen at once.
   */
  errors?: Record<string, Error> | undefined;
  /**
   * `true` when this came from the cache while ZooKeeper could not be asked
   * (disconnected, or started from the cache file): it may be out of date.
   */
  stale: boolean;
  /**
   * What changed since the snapshot the path published before this one (on
   * a path's first read: everything it holds). Set on the snapshots a
   * followed path publishes, which callbacks and `watch()` receive; absent
   * on copies, such as the stale last good copy. Not enumerable: it is no
   * part of the value that is compared, spread or written to the cache file.
   */
  change?: SnapshotChange | undefined;
}

/**
 * What changed between two snapshots of a path, as Curator's
 * `CuratorCacheListener` is told of it: each child added, updated or
 * removed, and whether the node's own data changed. It costs what changed,
 * whatever the number of children: a listener that keeps its own view up to
 * date from it never needs to read `children` whole.
 *
 * @example Keep a map of a service's instances
 * ```ts ignore
 * const hosts = new Map(Object.entries((await registry.get("/services/web")).children));
 * registry.onChange("/services/web", (_snapshot, change) => {
 *   for (const [name, value] of Object.entries(change.added)) hosts.set(name, value);
 *   for (const [name, value] of Object.entries(change.updated)) hosts.set(name, value);
 *   for (const name of change.removed) hosts.delete(name);
 * });
 * ```
 */
export interface SnapshotChange {
  /**
   * The children that are new, with their values, in name order (no
   * prototype, like `children`). A child deleted and created again between
   * two snapshots is `updated` instead; one created and deleted between them
   * is nowhere.
   */
  readonly added: Readonly<Record<string, NodeValue>>;
  /**
   * The children still there whose data changed (or could not be read any
   * more, or again), with their new values, in name order (no prototype).
   * Always empty for a names-only lookup, where a child has no data.
   */
  readonly updated: Readonly<Record<string, NodeValue>>;
  /** The names of the children gone, in name order. */
  readonly removed: readonly string[];
  /**
   * Whether the node's own data or Stat changed: it was written, created or
   * deleted. A child's creation or deletion alone changes only
   * `stat.numChildren`, and leaves this `false`.
   */
  readonly data: boolean;
}

/**
 * Receives each new snapshot of a followed path, with what changed since
 * the one before (the same object as `snapshot.change`).
 */
export type SnapshotListener = (snapshot: NodeSnapshot, change: SnapshotChange) => void;

/** Options of a lookup. */
export interface LookupOptions {
  /**
   * `false` keeps only the children's names (their values are `null`): a
   * child's data change then costs no request at all.
   *
   * @default {true, or the registry's `childData`}
   */
  childData?: boolean | undefined;
}

/** Runs before each call to ZooKeeper (the rate limiter). */
export type Gate = () => Promise<void>;

/**
 * An empty snapshot of a path that does not exist.
 *
 * @param path The path.
 * @param stale Whether it stands for an unknown state.
 * @returns The snapshot.
 */
export function emptySnapshot(path: string, stale = false): NodeSnapshot {
  return { path, data: null, stat: null, children: childRecord(), stale };
}

/**
 * The part of a Stat a snapshot holds, with `numChildren` counting its
 * children.
 *
 * @param stat The node's Stat as read.
 * @param numChildren How many children the snapshot lists.
 * @returns The snapshot's stat.
 */
export function nodeStat(stat: Stat, numChildren: number): NodeStat {
  const { czxid, mzxid, ctime, mtime, version, ephemeralOwner, dataLength } = stat;
  return { czxid, mzxid, ctime, mtime, version, ephemeralOwner, dataLength, numChildren };
}

/**
 * An empty object to key by children's names: without a prototype, so that
 * `__proto__` or `constructor` is a name like any other.
 *
 * @returns The object.
 */
export function childRecord<T>(): Record<string, T> {
  return Object.create(null);
}
