/**
 * A path kept current: its data, its children and each child's data, re-read
 * whenever a one-shot watch on any of them fires, and handed to listeners
 * only when something really changed, so one change gives one callback even
 * when several watches fire for it or a reconnect re-reads everything.
 *
 * @module
 */

import type { ZooKeeper } from "../client/zookeeper.ts";
import type { WatchedEvent } from "../client/watches.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import type { Stat } from "../protocol/records_data.ts";
import { decodeNodeData, type NodeValue } from "./node_data.ts";

/** What `get()` returns: a node, its data and its children's data. */
export interface NodeSnapshot {
  /** The path. */
  path: string;
  /** The node's data: parsed JSON, else the raw text, `null` when empty or missing. */
  data: NodeValue;
  /** The node's Stat, `null` when it does not exist. */
  stat: Stat | null;
  /** Each child's name and data, decoded like `data`. */
  children: Record<string, NodeValue>;
  /**
   * `true` when this came from the cache while ZooKeeper could not be asked
   * (disconnected, or started from the cache file): it may be out of date.
   */
  stale: boolean;
}

/** Runs before each call to ZooKeeper (the rate limiter). */
export type Gate = () => Promise<void>;

/** An empty snapshot of a path that does not exist. */
export function emptySnapshot(path: string, stale = false): NodeSnapshot {
  return { path, data: null, stat: null, children: {}, stale };
}

function childPath(parent: string, name: string): string {
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof ZooKeeperError && error.code === code;
}

/** One watched path. */
export class PathWatch {
  /** The path. */
  readonly path: string;
  readonly #client: () => ZooKeeper | undefined;
  readonly #gate: Gate;
  readonly #onError: (error: unknown) => void;
  readonly #onSnapshot: (snapshot: NodeSnapshot) => void;
  readonly #listeners = new Set<(snapshot: NodeSnapshot) => void>();
  #snapshot: NodeSnapshot | undefined;
  #key: string | undefined;
  #loading: Promise<void> | undefined;
  #again = false;
  #closed = false;

  // One function per path for every watch it sets: re-arming a watch that is
  // already set adds nothing, so a change fires it once.
  readonly #watcher = (event: WatchedEvent): void => {
    if (event.type !== "None" && !event.type.endsWith("Removed")) this.refresh();
  };

  /**
   * @param path The path to follow.
   * @param client The current client, or `undefined` while there is none.
   * @param gate Awaited before each call to ZooKeeper.
   * @param onSnapshot Called with every new snapshot (the registry's cache).
   * @param onError Receives errors of listeners and of unexpected reads.
   */
  constructor(
    path: string,
    client: () => ZooKeeper | undefined,
    gate: Gate,
    onSnapshot: (snapshot: NodeSnapshot) => void,
    onError: (error: unknown) => void,
  ) {
    this.path = path;
    this.#client = client;
    this.#gate = gate;
    this.#onSnapshot = onSnapshot;
    this.#onError = onError;
  }

  /** The last snapshot read, if any. */
  get snapshot(): NodeSnapshot | undefined {
    return this.#snapshot;
  }

  /** Adds a listener of changes; returns a function that removes it. */
  listen(listener: (snapshot: NodeSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Number of listeners. */
  get listeners(): number {
    return this.#listeners.size;
  }

  /** Stops following the path. */
  close(): void {
    this.#closed = true;
    this.#listeners.clear();
  }

  /**
   * Re-reads the path now, arming its watches again. Calls made while a read
   * is under way are folded into one more read after it.
   */
  refresh(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#loading !== undefined) {
      this.#again = true;
      return this.#loading;
    }
    const run = async () => {
      do {
        this.#again = false;
        await this.#load();
      } while (this.#again && !this.#closed);
    };
    this.#loading = run().finally(() => this.#loading = undefined);
    return this.#loading;
  }

  async #load(): Promise<void> {
    const zk = this.#client();
    if (zk === undefined || !zk.connected) return;
    const path = this.path;
    const watch = this.#watcher;
    try {
      await this.#gate();
      let node;
      try {
        node = await zk.getData(path, { watch });
      } catch (error) {
        if (!isCode(error, "NONODE")) throw error;
        await this.#gate();
        // Watch for its creation; if it appeared meanwhile, read again.
        if (await zk.exists(path, { watch }) !== null) this.#again = true;
        else this.#publish(emptySnapshot(path), "none");
        return;
      }
      await this.#gate();
      const names = await zk.getChildren(path, { watch }).catch((error) => {
        if (isCode(error, "NONODE")) return undefined;
        throw error;
      });
      if (names === undefined) {
        this.#again = true;
        return;
      }
      names.sort();
      const children: Record<string, NodeValue> = {};
      const versions: string[] = [];
      await Promise.all(names.map(async (name) => {
        await this.#gate();
        try {
          const child = await zk.getData(childPath(path, name), { watch });
          children[name] = decodeNodeData(child.data);
          versions.push(`${name}@${child.stat.mzxid}`);
        } catch (error) {
          // A child that went between the listing and the read: the child
          // watch fires for it and the next read settles the list.
          if (!isCode(error, "NONODE")) throw error;
        }
      }));
      const sorted: Record<string, NodeValue> = {};
      for (const name of names) if (name in children) sorted[name] = children[name];
      versions.sort();
      this.#publish(
        { path, data: decodeNodeData(node.data), stat: node.stat, children: sorted, stale: false },
        `${node.stat.czxid}:${node.stat.mzxid}:${node.stat.pzxid}:${versions.join(",")}`,
      );
    } catch (error) {
      // Connection trouble: the registry reads again once reconnected.
      if (
        isCode(error, "CONNECTIONLOSS") || isCode(error, "SESSIONEXPIRED") ||
        isCode(error, "CLOSED")
      ) return;
      this.#onError(error);
    }
  }

  #publish(snapshot: NodeSnapshot, key: string): void {
    if (this.#closed) return;
    const changed = key !== this.#key;
    this.#snapshot = snapshot;
    this.#key = key;
    this.#onSnapshot(snapshot);
    if (!changed) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(snapshot);
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}
