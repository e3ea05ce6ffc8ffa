/**
 * The registry's lookups: one incremental cache per followed path (shared by
 * every lookup of it), the last good copy of each path for the times
 * ZooKeeper is away, and the cache file.
 *
 * @module
 */

import { AsyncQueue } from "../client/async_queue.ts";
import type { ZooKeeper } from "../client/zookeeper.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import { parentPath } from "../protocol/path.ts";
import type { Clock, TimerHandle } from "../util/clock.ts";
import type { CacheFile } from "./cache_file.ts";
import { Barriers } from "./barriers.ts";
import { readOnce } from "./read_once.ts";
import { type CacheMode, PathCache } from "./path_cache.ts";
import {
  emptySnapshot,
  type Gate,
  type LookupOptions,
  type NodeSnapshot,
  type SnapshotListener,
} from "./snapshot.ts";

/** What the lookups need from the registry. */
export interface LookupsOptions {
  /** The connected client, if any. */
  client(): ZooKeeper | undefined;
  /** Awaited before each request. */
  gate: Gate;
  /** Receives errors of callbacks and reads. */
  onError: (error: unknown) => void;
  /** Keeps the last good snapshots on disk. */
  cacheFile?: CacheFile | undefined;
  /** `false`: one-shot watches only, even on servers that have persistent ones. */
  persistentWatches?: boolean | undefined;
  /** The default of {@linkcode LookupOptions.childData}. */
  childData?: boolean | undefined;
  /** The registry's clock. */
  clock: Clock;
  /**
   * How long a path looked up without a callback stays followed after its
   * last lookup, in milliseconds.
   */
  followFor: number;
}

/** Every path the registry follows. */
export class Lookups {
  readonly #options: LookupsOptions;
  readonly #caches = new Map<string, PathCache>();
  readonly #barriers = new Barriers();
  // The paths kept followed for lookups without a callback, each with the
  // time of its last lookup; released once not asked for in `followFor`.
  readonly #pinned = new Map<string, number>();
  #sweep: TimerHandle | undefined;
  readonly #lastGood = new Map<string, NodeSnapshot>();
  readonly #iterators = new Set<AsyncQueue<NodeSnapshot>>();
  readonly #noPersistent = new WeakSet<ZooKeeper>();
  // The removals of released caches' watches under way, by path.
  readonly #closing = new Map<string, Promise<void>>();
  #closed = false;

  /** @param options What the lookups need from the registry. */
  constructor(options: LookupsOptions) {
    this.#options = options;
  }

  /** Loads the cache file's snapshots, marked stale, as the last good copies. */
  async loadCacheFile(): Promise<void> {
    const file = this.#options.cacheFile;
    if (file === undefined) return;
    for (const [path, snapshot] of await file.load()) this.#lastGood.set(path, snapshot);
  }

  /** Number of paths followed. */
  get size(): number {
    return this.#caches.size;
  }

  /**
   * The current result for a path, reading it first when it is not followed
   * yet. A lookup without a callback keeps the path followed, so the next one
   * is answered from memory.
   *
   * @param path A valid path.
   * @param callback Called with each new result and what changed.
   * @param options Names only or not.
   * @returns The result.
   */
  async get(
    path: string,
    callback: SnapshotListener | undefined,
    options: LookupOptions,
  ): Promise<NodeSnapshot> {
    let cache = this.#follow(path, options);
    if (cache.snapshot === undefined) await cache.settled();
    // Released during the first read (by `release()`, or by the last
    // listener going): that cache follows nothing any more, so the path is
    // followed anew.
    while (!this.#closed && this.#caches.get(this.#key(cache.path, cache.childData)) !== cache) {
      cache = this.#follow(path, options);
      if (cache.snapshot === undefined) await cache.settled();
    }
    // Closed meanwhile: what the cache holds is no answer any more.
    if (this.#closed) throw ZooKeeperError.fromServer("CLOSED", "look up", path);
    if (cache.snapshot === undefined && cache.failure !== undefined) {
      // Nothing to follow: the next lookup asks again.
      // Listeners keep it, and its retries, until they go.
      const key = this.#key(path, cache.childData);
      if (this.#caches.get(key) === cache && cache.listeners === 0) {
        this.#caches.delete(key);
        this.#close(cache);
      }
      throw cache.failure;
    }
    const current = this.#current(cache);
    if (callback !== undefined) cache.listen((snapshot) => callback(snapshot, snapshot.change!));
    else if (cache.snapshot?.stat === null) {
      // A missing path is not kept followed, even one followed while it was
      // there: nobody may ever ask again, and its watch would stay on the
      // server for nothing.
      this.#pinned.delete(this.#key(cache.path, cache.childData));
      await this.#release(cache);
    } else this.#pin(this.#key(cache.path, cache.childData));
    return current;
  }

  /**
   * The current result for a path, following nothing: from memory when the
   * path is followed, else read once without watches.
   *
   * @param path A valid path.
   * @param options Names only or not.
   * @returns The result; the last good copy, `stale`, when there is no session.
   */
  async read(path: string, options: LookupOptions): Promise<NodeSnapshot> {
    const childData = options.childData ?? this.#options.childData ?? true;
    const cache = this.#caches.get(this.#key(path, childData));
    const zk = this.#options.client();
    if (cache?.snapshot !== undefined || zk === undefined) {
      const saved = childData ? this.#lastGood.get(path) : undefined;
      if (cache === undefined) return { ...(saved ?? emptySnapshot(path)), stale: true };
      return this.#current(cache);
    }
    return await readOnce(zk, path, childData, this.#options.gate);
  }

  /**
   * Stops keeping a path followed for lookups made without a callback; once
   * no callback or iterator follows it either, its watches are removed from
   * the server and the next lookup reads it again.
   *
   * @param path A valid path.
   * @param options Which lookup (names only or not) to release.
   * @returns Once the watches are removed, or at once when others follow it.
   */
  async release(path: string, options: LookupOptions): Promise<void> {
    const key = this.#key(path, options.childData ?? this.#options.childData ?? true);
    this.#pinned.delete(key);
    const cache = this.#caches.get(key);
    if (cache !== undefined) await this.#release(cache);
  }

  /**
   * Calls `callback` with each new result; the first read is not a change.
   *
   * @param path A valid path.
   * @param callback Receives each new result and what changed.
   * @param options Names only or not.
   * @returns A function that removes the callback (and stops following the
   *   path when nothing else follows it).
   */
  onChange(
    path: string,
    callback: SnapshotListener,
    options: LookupOptions,
  ): () => void {
    const cache = this.#follow(path, options);
    // A first read under way is the starting point, not a change, unless a
    // change was heard of before it was published; without a session, the
    // first read is news to whoever asked before it. The listener is there at
    // once, so the path stays followed meanwhile.
    const connected = this.#options.client()?.connected ?? false;
    let started = cache.snapshot !== undefined || !connected;
    if (!started) {
      cache.settled().then(() => {
        if (cache.snapshot !== undefined) return;
        // Nothing published: what comes next is news. Nobody awaits this
        // first read: its failure is reported here, and the cache tries
        // again with backoff.
        started = true;
        if (cache.failure !== undefined) this.#options.onError(cache.failure);
      });
    }
    const remove = cache.listen((snapshot) => {
      if (started) return callback(snapshot, snapshot.change!);
      started = true;
      if (!cache.firstReadOnly) callback(snapshot, snapshot.change!);
    });
    return () => {
      remove();
      this.#release(cache);
    };
  }

  /**
   * The current result, then each new one, until the loop ends.
   *
   * @param path A valid path.
   * @param signal Ends the iteration.
   * @param options Names only or not.
   * @returns The results.
   */
  watch(
    path: string,
    signal: AbortSignal | undefined,
    options: LookupOptions,
  ): AsyncIterableIterator<NodeSnapshot> {
    const cache = this.#follow(path, options);
    const onAbort = () => queue.end();
    // Changes published before the first result is queued are in it.
    let started = false;
    const remove = cache.listen((snapshot) => started && queue.push(snapshot));
    const queue: AsyncQueue<NodeSnapshot> = new AsyncQueue(() => {
      remove();
      this.#iterators.delete(queue);
      signal?.removeEventListener("abort", onAbort);
      this.#release(cache);
    });
    this.#iterators.add(queue);
    const first = cache.snapshot === undefined ? cache.settled() : Promise.resolve();
    first.then(() => {
      if (queue.ended) return;
      if (cache.snapshot === undefined && cache.failure !== undefined) {
        return queue.end(cache.failure);
      }
      started = true;
      queue.push(this.#current(cache));
    }, (error) => queue.end(error));
    if (signal?.aborted) queue.end();
    else signal?.addEventListener("abort", onAbort, { once: true });
    return queue;
  }

  /**
   * A new session: every followed path sets its watches and is read whole.
   *
   * @param zk The new session's client.
   */
  attached(zk: ZooKeeper): void {
    for (const cache of this.#caches.values()) cache.attach(zk);
  }

  /** The session is back: each path reads what its watches cannot report. */
  reconnected(): void {
    for (const cache of this.#caches.values()) cache.reconnected();
  }

  /** The session is gone: the caches keep what they know. */
  detached(): void {
    for (const cache of this.#caches.values()) cache.detach();
  }

  /**
   * Ends every iterator, stops following every path and writes the cache
   * file. The session is closed next, which removes every watch on the
   * server: none is removed one by one.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const queue of this.#iterators) queue.end();
    this.#options.clock.clearTimeout(this.#sweep);
    this.#sweep = undefined;
    this.#pinned.clear();
    const caches = [...this.#caches.values()];
    this.#caches.clear();
    for (const cache of caches) cache.stop();
    await this.#options.cacheFile?.flush().catch(this.#options.onError);
  }

  #key(path: string, childData: boolean): string {
    return childData ? path : `${path}\0names`;
  }

  #follow(path: string, options: LookupOptions): PathCache {
    const childData = options.childData ?? this.#options.childData ?? true;
    const key = this.#key(path, childData);
    let cache = this.#caches.get(key);
    if (cache === undefined) {
      const gate = this.#gateAfterClosing(path);
      cache = new PathCache(path, childData, {
        gate,
        firstReadWaits: gate !== this.#options.gate,
        onError: this.#options.onError,
        onSnapshot: (snapshot, children) => this.#store(snapshot, children, childData),
        modeFor: (zk) => this.#modeFor(zk),
        noPersistentWatches: (zk) => this.#noPersistent.add(zk),
        clock: this.#options.clock,
        barriers: this.#barriers,
      });
      this.#caches.set(key, cache);
      const zk = this.#options.client();
      if (zk !== undefined) cache.attach(zk);
    }
    return cache;
  }

  // Keeps a path followed for `followFor` after this lookup.
  #pin(key: string): void {
    const clock = this.#options.clock;
    this.#pinned.set(key, clock.now());
    if (this.#sweep === undefined) {
      this.#sweep = clock.setTimeout(() => this.#expire(), this.#options.followFor);
    }
  }

  // Releases the paths not asked for in `followFor`, and waits for the next.
  #expire(): void {
    this.#sweep = undefined;
    const { clock, followFor } = this.#options;
    const now = clock.now();
    let next = Infinity;
    for (const [key, at] of this.#pinned) {
      if (now - at < followFor) {
        next = Math.min(next, at + followFor);
        continue;
      }
      this.#pinned.delete(key);
      const cache = this.#caches.get(key);
      if (cache !== undefined) this.#release(cache);
    }
    if (next !== Infinity) this.#sweep = clock.setTimeout(() => this.#expire(), next - now);
  }

  #modeFor(zk: ZooKeeper): CacheMode {
    if (this.#options.persistentWatches === false || this.#noPersistent.has(zk)) return "oneShot";
    return "persistent";
  }

  // A path nobody follows any more gives its watches back to the server.
  async #release(cache: PathCache): Promise<void> {
    const key = this.#key(cache.path, cache.childData);
    if (cache.listeners > 0 || this.#pinned.has(key) || this.#caches.get(key) !== cache) return;
    this.#caches.delete(key);
    await this.#close(cache);
  }

  // Closes a cache no longer in the map; the path's next cache waits for it.
  #close(cache: PathCache): Promise<void> {
    const { path } = cache;
    const closed = Promise.all([
      this.#closing.get(path),
      cache.close().catch(this.#options.onError),
    ])
      .then(() => {
        if (this.#closing.get(path) === closed) this.#closing.delete(path);
      });
    this.#closing.set(path, closed);
    return closed;
  }

  // The server keeps one watch of a kind per path for a session: a new
  // cache's requests wait until the watches of the path's released caches
  // are removed, or the removal would take the new watches with it, and the
  // changes until they are set again would go unheard. A cache also removes
  // the data watches it set on its children: a path waits for its own
  // closings, its parent's and its children's.
  #gateAfterClosing(path: string): Gate {
    const gate = this.#options.gate;
    const waits = [...this.#closing].filter(([closing]) =>
      closing === path || closing === parentPath(path) || parentPath(closing) === path
    );
    if (waits.length === 0) return gate;
    const closing = Promise.all(waits.map(([, closed]) => closed));
    let closed = false;
    closing.then(() => closed = true);
    return () => closed ? gate() : closing.then(gate);
  }

  #current(cache: PathCache): NodeSnapshot {
    const connected = this.#options.client()?.connected ?? false;
    const live = cache.snapshot;
    if (live !== undefined && connected) return live;
    const saved = cache.childData ? this.#lastGood.get(cache.path) : undefined;
    const known = saved ?? live;
    if (known !== undefined) return { ...known, stale: !connected || known.stale };
    return emptySnapshot(cache.path, true);
  }

  // An empty answer (no node, or a node with neither data nor children) is
  // not kept: an empty list of servers usually means trouble, and must not
  // replace the last good one.
  #store(snapshot: NodeSnapshot, children: number, childData: boolean): void {
    const empty = snapshot.stat === null || (snapshot.data === null && children === 0);
    if (!childData || empty) return;
    this.#lastGood.set(snapshot.path, snapshot);
    this.#options.cacheFile?.put(snapshot);
  }
}
