/**
 * What a lookup returns: a node, its data and its children's data, as one
 * immutable value.
 *
 * @module
 */

import type { Stat } from "../protocol/records_data.ts";
import type { NodeValue } from "./node_data.ts";

/** What `get()` returns: a node, its data and its children's data. */
export interface NodeSnapshot {
  /** The path. */
  path: string;
  /** The node's data: parsed JSON, else the raw text, `null` when empty or missing. */
  data: NodeValue;
  /**
   * The node's Stat as read with its data, `null` when it does not exist.
   * Its child fields (`cversion`, `pzxid`) are those of that read: the
   * children themselves are kept current without re-reading the node.
   */
  stat: Stat | null;
  /**
   * Each child's name and data, decoded like `data`, in name order; every
   * value is `null` for a names-only lookup (`childData: false`).
   */
  children: Record<string, NodeValue>;
  /**
   * `true` when this came from the cache while ZooKeeper could not be asked
   * (disconnected, or started from the cache file): it may be out of date.
   */
  stale: boolean;
}

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
  return { path, data: null, stat: null, children: {}, stale };
}
