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
import { LazyDeleteMap } from "../util/lazy_delete_map.ts";

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

/**
 * The watchers of one path and kind. A list held by the registry is never
 * changed: adding or removing a watcher replaces it, so that a list handed
 * out for delivery stays as it was when the event came.
 */
export type Watchers = readonly Watcher[];

const NO_WATCHERS: Watchers = Object.freeze([]);
const NO_PATHS: readonly string[] = Object.freeze([]);

// The watchers of each path of one kind. A one-shot watch on a node whose
// data keeps changing is taken and set again on each change, so the key of a
// path taken keeps its entry (see LazyDeleteMap).
type PathMap = LazyDeleteMap<string, Watchers>;

// Stands for a kind with no watch yet: most sessions use one or two kinds,
// and each map costs about 200 bytes. Only add() stores, and it replaces this
// first, so this map stays empty; the other methods read or delete from it.
const NONE: PathMap = new LazyDeleteMap();

// With this many recursive watches or fewer, an event's path is compared with
// each of them; with more, its ancestors are looked up one by one.
const FEW_RECURSIVE = 8;

/** The watches of one session, by kind and path. */
export class WatchRegistry {
  readonly #byKind: Record<WatchKind, PathMap> = {
    data: NONE,
    exist: NONE,
    child: NONE,
    persistent: NONE,
    persistentRecursive: NONE,
  };
  // The paths of the recursive watches, in a list that an event reads
  // without an iterator.
  #recursiveRoots: readonly string[] = NO_PATHS;
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
    if (map === NONE) map = this.#byKind[kind] = new LazyDeleteMap();
    const list = map.get(path);
    if (list === undefined) {
      map.set(path, [watcher]);
      this.#changedPaths(kind, map);
    } else if (!list.includes(watcher)) {
      map.set(path, [...list, watcher]);
    }
  }

  /**
   * Forgets a watch.
   *
   * @returns Whether it was there.
   */
  remove(kind: WatchKind, path: string, watcher: Watcher): boolean {
    const map = this.#byKind[kind];
    const list = map.get(path);
    if (list === undefined || !list.includes(watcher)) return false;
    if (list.length > 1) {
      map.set(path, list.filter((w) => w !== watcher));
    } else {
      map.delete(path);
      this.#changedPaths(kind, map);
    }
    return true;
  }

  /**
   * Forgets every watch of a kind on a path.
   *
   * @returns The watchers that were there.
   */
  removeAll(kind: WatchKind, path: string): Watchers {
    const map = this.#byKind[kind];
    const list = map.get(path);
    if (list === undefined) return NO_WATCHERS;
    map.delete(path);
    this.#changedPaths(kind, map);
    return list;
  }

  /** Whether `watcher` (or any watcher, when omitted) watches `path` with `kind`. */
  has(kind: WatchKind, path: string, watcher?: Watcher): boolean {
    const list = this.#byKind[kind].get(path);
    if (list === undefined) return false;
    return watcher === undefined || list.includes(watcher);
  }

  /** Number of watchers of a kind on a path. */
  count(kind: WatchKind, path: string): number {
    return this.#byKind[kind].get(path)?.length ?? 0;
  }

  /** The watched paths of a kind. */
  paths(kind: WatchKind): string[] {
    return this.#byKind[kind].keys();
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
      for (const list of map.values()) {
        for (const w of list) out.add(w);
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
    this.#changedPaths(kind, map);
  }

  #changedPaths(kind: WatchKind, map: PathMap): void {
    if (kind === "persistentRecursive") {
      // Deepest first, the order of the walk up an event's ancestors.
      this.#recursiveRoots = map.size <= FEW_RECURSIVE
        ? map.keys().sort((a, b) => b.length - a.length)
        : NO_PATHS;
    }
    this.#report?.(kind, map.size);
  }

  /**
   * The watchers a node event triggers, each once; one-shot watches among them
   * are removed.
   *
   * @param type The event type.
   * @param path The node's path, relative to the chroot.
   * @returns The watchers to call: a list the caller must not change.
   */
  trigger(type: EventTypeName, path: string): Watchers {
    const kinds = this.#byKind;
    let out: Watchers | undefined;
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
        return NO_WATCHERS;
    }
    if (kinds.persistent.size > 0) out = join(out, kinds.persistent.get(path));
    // The server sends no child-list events to recursive watches: it reports
    // the created or deleted child itself instead.
    const recursive = kinds.persistentRecursive;
    if (type !== "NodeChildrenChanged" && recursive.size > 0) {
      const roots = this.#recursiveRoots;
      if (roots !== NO_PATHS) {
        for (let i = 0; i < roots.length; i++) {
          if (within(path, roots[i])) out = join(out, recursive.get(roots[i]));
        }
      } else {
        for (let p = path;;) {
          out = join(out, recursive.get(p));
          if (p === "/") break;
          p = parentPath(p);
        }
      }
    }
    return out ?? NO_WATCHERS;
  }

  /** Removes the one-shot watchers of `path` and adds them to `out`. */
  #take(kind: WatchKind, path: string, out: Watchers | undefined): Watchers | undefined {
    const map = this.#byKind[kind];
    if (map.size === 0) return out;
    const list = map.get(path);
    if (list === undefined) return out;
    map.delete(path);
    this.#report?.(kind, map.size);
    return join(out, list);
  }
}

/** Whether `path` is `root` or below it. */
function within(path: string, root: string): boolean {
  if (root === "/") return true;
  return path.startsWith(root) &&
    (path.length === root.length || path.charCodeAt(root.length) === 47);
}

/**
 * The watchers of `out` and of `more`, each once. Either list is returned as
 * it is when it holds all of them: lists are never changed once made.
 */
function join(out: Watchers | undefined, more: Watchers | undefined): Watchers | undefined {
  if (more === undefined) return out;
  if (out === undefined) return more;
  let joined: Watcher[] | undefined;
  for (let i = 0; i < more.length; i++) {
    const w = more[i];
    if (!(joined ?? out).includes(w)) (joined ??= [...out]).push(w);
  }
  return joined ?? out;
}
