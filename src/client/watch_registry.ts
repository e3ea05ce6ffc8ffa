/**
 * The client's record of watches, and which of them a notification triggers,
 * following `ZKWatchManager.materialize`: one-shot data, exist and child
 * watches fire once and are forgotten; persistent watches stay; recursive ones
 * fire for every descendant except on child-list changes.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/ZKWatchManager.java
 * @module
 */

import type { EventTypeName, KeeperStateName } from "../protocol/constants.ts";
import { parentPath } from "../protocol/path.ts";
import type { WatchKind } from "../util/client_metrics.ts";

/** A watch notification as the user receives it. */
export interface WatchedEvent {
  /** What happened: a node event, or `"None"` for a change of session state. */
  type: EventTypeName;
  /** The session state when the event was produced. */
  state: KeeperStateName;
  /** The path of the node, relative to the chroot; `""` for session events. */
  path: string;
}

/**
 * What `zk.watch()` yields after each reconnect. The server replays nothing
 * to persistent watches: whatever changed while the client was away went
 * unseen, and the reader should read the watched nodes again.
 */
export interface WatchReconnected {
  /** The session's connection is back and the watch is set again. */
  type: "reconnected";
}

/** An item of `zk.watch()`: a node event, or word of a reconnect. */
export type WatchStreamItem = WatchedEvent | WatchReconnected;

/** A function called with watch notifications. */
export type Watcher = (event: WatchedEvent) => void;

/** All watch kinds, in the order SetWatches2 lists them. */
export const WATCH_KINDS: readonly WatchKind[] = [
  "data",
  "exist",
  "child",
  "persistent",
  "persistentRecursive",
];

// Stands for a kind with no watch yet: most sessions use one or two kinds,
// and each Map costs about 180 bytes. Only add() stores, and it replaces this
// first, so this map stays empty; the other methods read or delete from it.
const NONE: Map<string, Set<Watcher>> = new Map();

/** The watches of one session, by kind and path. */
export class WatchRegistry {
  readonly #byKind: Record<WatchKind, Map<string, Set<Watcher>>> = {
    data: NONE,
    exist: NONE,
    child: NONE,
    persistent: NONE,
    persistentRecursive: NONE,
  };
  readonly #report: ((kind: WatchKind, count: number) => void) | undefined;

  /**
   * @param report Told the number of paths watched with a kind whenever it
   *   changes.
   */
  constructor(report?: (kind: WatchKind, count: number) => void) {
    this.#report = report;
  }

  /**
   * Records a watch. Adding the same function twice for one path and kind
   * keeps one: it fires once per trigger, as in the Java client.
   */
  add(kind: WatchKind, path: string, watcher: Watcher): void {
    let map = this.#byKind[kind];
    if (map === NONE) map = this.#byKind[kind] = new Map();
    let set = map.get(path);
    if (set === undefined) {
      map.set(path, set = new Set());
      this.#report?.(kind, map.size);
    }
    set.add(watcher);
  }

  /**
   * Forgets a watch.
   *
   * @returns Whether it was there.
   */
  remove(kind: WatchKind, path: string, watcher: Watcher): boolean {
    const map = this.#byKind[kind];
    const set = map.get(path);
    if (set === undefined || !set.delete(watcher)) return false;
    if (set.size === 0) {
      map.delete(path);
      this.#report?.(kind, map.size);
    }
    return true;
  }

  /**
   * Forgets every watch of a kind on a path.
   *
   * @returns The watchers that were there.
   */
  removeAll(kind: WatchKind, path: string): Set<Watcher> {
    const map = this.#byKind[kind];
    const set = map.get(path);
    if (set === undefined) return new Set();
    map.delete(path);
    this.#report?.(kind, map.size);
    return set;
  }

  /** Whether `watcher` (or any watcher, when omitted) watches `path` with `kind`. */
  has(kind: WatchKind, path: string, watcher?: Watcher): boolean {
    const set = this.#byKind[kind].get(path);
    if (set === undefined) return false;
    return watcher === undefined || set.has(watcher);
  }

  /** Number of watchers of a kind on a path. */
  count(kind: WatchKind, path: string): number {
    return this.#byKind[kind].get(path)?.size ?? 0;
  }

  /** The watched paths of a kind. */
  paths(kind: WatchKind): string[] {
    return [...this.#byKind[kind].keys()];
  }

  /** Number of (path, kind) pairs watched. */
  get size(): number {
    // Counted without iterators: every connection asks, mostly of no watches.
    let n = 0;
    for (let i = 0; i < WATCH_KINDS.length; i++) n += this.#byKind[WATCH_KINDS[i]].size;
    return n;
  }

  /**
   * Every watcher of the given kinds, each once.
   *
   * @param kinds The kinds; all of them when omitted.
   * @returns The watchers.
   */
  all(kinds: readonly WatchKind[] = WATCH_KINDS): Set<Watcher> {
    const out = new Set<Watcher>();
    for (const kind of kinds) {
      const map = this.#byKind[kind];
      if (map.size === 0) continue;
      for (const set of map.values()) {
        for (const w of set) out.add(w);
      }
    }
    return out;
  }

  /** Forgets every one-shot watch (data, exist, child), keeping persistent ones. */
  clearOneShot(): void {
    this.#clear("data");
    this.#clear("exist");
    this.#clear("child");
  }

  /** Forgets everything. */
  clear(): void {
    for (const kind of WATCH_KINDS) this.#clear(kind);
  }

  #clear(kind: WatchKind): void {
    const map = this.#byKind[kind];
    if (map.size === 0) return;
    map.clear();
    this.#report?.(kind, 0);
  }

  /**
   * The watchers a node event triggers, each once; one-shot watches among them
   * are removed.
   *
   * @param type The event type.
   * @param path The node's path, relative to the chroot.
   * @returns The watchers to call.
   */
  trigger(type: EventTypeName, path: string): Set<Watcher> {
    const kinds = this.#byKind;
    // The first set taken is handed out as it is (it has left the map): one
    // data watch firing costs no set of its own.
    let out: Set<Watcher> | undefined;
    switch (type) {
      case "NodeCreated":
      case "NodeDataChanged":
        out = this.#take("data", path, out);
        out = this.#take("exist", path, out);
        break;
      case "NodeChildrenChanged":
        out = this.#take("child", path, out);
        break;
      case "NodeDeleted":
        out = this.#take("data", path, out);
        out = this.#take("exist", path, out);
        out = this.#take("child", path, out);
        break;
      default:
        return new Set();
    }
    if (kinds.persistent.size > 0) out = keep(kinds.persistent, path, out);
    // The server sends no child-list events to recursive watches: it reports
    // the created or deleted child itself instead.
    const recursive = kinds.persistentRecursive;
    if (type !== "NodeChildrenChanged" && recursive.size > 0) {
      for (let p = path;;) {
        out = keep(recursive, p, out);
        if (p === "/") break;
        p = parentPath(p);
      }
    }
    return out ?? new Set();
  }

  /** Moves the one-shot watchers of `path` into `out`, or makes them `out`. */
  #take(kind: WatchKind, path: string, out: Set<Watcher> | undefined): Set<Watcher> | undefined {
    const map = this.#byKind[kind];
    const set = map.get(path);
    if (set === undefined) return out;
    map.delete(path);
    this.#report?.(kind, map.size);
    if (out === undefined) return set;
    for (const w of set) out.add(w);
    return out;
  }
}

/** Copies the persistent watchers of `path` into `out` (a new set if none yet). */
function keep(
  map: Map<string, Set<Watcher>>,
  path: string,
  out: Set<Watcher> | undefined,
): Set<Watcher> | undefined {
  const set = map.get(path);
  if (set === undefined) return out;
  if (out === undefined) return new Set(set);
  for (const w of set) out.add(w);
  return out;
}
