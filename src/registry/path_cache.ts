/**
 * One path kept current incrementally: the node, its children and (unless
 * names only) each child's data. Every watch event updates only what it
 * names, so a change costs a watcher one read at most, whatever the size of
 * the service:
 *
 * | change | persistent recursive watch (3.6+) | one-shot watches |
 * | --- | ---: | ---: |
 * | a child's data | 1 read of that child | 1 read of that child |
 * | a child added | 1 read of that child | the list, then that child |
 * | a child removed | an `exists` (the transaction's barrier) | the list and an `exists` |
 *
 * Reconnecting costs what changed while away, not the size of the service:
 * every child read arms a one-shot data watch as it goes, and the client sends
 * those watches back with its last zxid, so the server itself fires for the
 * children that changed (ClientCnxn's SetWatches); the persistent mode also
 * lists the children once, for additions, with the node's Stat, which tells
 * whether the node itself needs a read.
 *
 * This file handles the events and publishes snapshots; the reads are
 * `CacheReader`'s. Events and replies may be handled in either order (see
 * `CacheState`).
 *
 * @module
 */

import { isInterrupted } from "../client/retry.ts";
import { joinPath } from "../protocol/path.ts";
import type { WatchedEvent } from "../client/watch_registry.ts";
import type { ZooKeeper } from "../client/zookeeper.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import type { Clock } from "../util/clock.ts";
import { notifyAll } from "../util/notify.ts";
import { Barriers } from "./barriers.ts";
import { type CacheMode, CacheReader } from "./cache_reader.ts";
import type { Gate, NodeSnapshot } from "./snapshot.ts";

export type { CacheMode } from "./cache_reader.ts";

/** What a cache needs from its owner. */
export interface PathCacheContext {
  /** Awaited before each request (the rate limiter). */
  gate: Gate;
  /** Receives every snapshot published (the registry's last good copy). */
  onSnapshot(snapshot: NodeSnapshot, children: number): void;
  /** Receives errors of listeners and unexpected errors of reads. */
  onError(error: unknown): void;
  /** The mode for a client: persistent unless it is known not to support it. */
  modeFor(zk: ZooKeeper): CacheMode;
  /** Called when the server answers `addWatch` with `UNIMPLEMENTED`. */
  noPersistentWatches(zk: ZooKeeper): void;
  /** The registry's clock, which times the retries of failed reads. */
  clock: Clock;
  /**
   * Whether the first read waits (for the removal of an older cache's
   * watches): the path may change meanwhile, with no event to tell.
   */
  firstReadWaits?: boolean | undefined;
  /** The barriers shared with the owner's other caches (else its own). */
  barriers?: Barriers | undefined;
}

/** One path kept current. */
export class PathCache {
  /** The path. */
  readonly path: string;
  /** Whether children's data is kept (else names only). */
  readonly childData: boolean;
  readonly #context: PathCacheContext;
  readonly #listeners = new Set<(snapshot: NodeSnapshot) => void>();
  readonly #reader: CacheReader;
  readonly #barriers: Barriers;
  #closed = false;
  #snapshot: NodeSnapshot | undefined;
  #idle: (() => void)[] = [];
  #barrierDue = false;
  #firstReadOnly = true;

  // One function for every watch the cache sets: the client calls it once per
  // notification however many of its watches the notification fires.
  readonly #watcher = (event: WatchedEvent): void => this.#onEvent(event);

  /**
   * @param path The path to follow.
   * @param childData Whether children's data is kept.
   * @param context What the cache needs from its owner.
   */
  constructor(path: string, childData: boolean, context: PathCacheContext) {
    this.path = path;
    this.childData = childData;
    this.#context = context;
    this.#firstReadOnly = context.firstReadWaits !== true;
    const barriers = this.#barriers = context.barriers ?? new Barriers();
    this.#reader = new CacheReader({
      path,
      childData,
      watcher: this.#watcher,
      gate: context.gate,
      clock: context.clock,
      onError: (error) => context.onError(error),
      noPersistentWatches: (zk) => context.noPersistentWatches(zk),
      published: () => this.#snapshot !== undefined,
      replied: () => this.#publishWhenIdle(),
      barrier: (zk) => barriers.after(zk, path),
    });
  }

  /**
   * Whether the first snapshot published is the path as it was when
   * followed: no change was heard of, and the connection was not lost,
   * before it was published. Otherwise it may hold changes made since, news
   * to whoever followed the path before it.
   */
  get firstReadOnly(): boolean {
    return this.#firstReadOnly;
  }

  /** The last snapshot published, if the path was ever read. */
  get snapshot(): NodeSnapshot | undefined {
    return this.#snapshot;
  }

  /** Why the first read failed, when it did (the cache then has no snapshot). */
  get failure(): unknown {
    return this.#reader.failure;
  }

  /** How the cache hears of changes on its current session. */
  get mode(): CacheMode {
    return this.#reader.mode;
  }

  /** Number of listeners. */
  get listeners(): number {
    return this.#listeners.size;
  }

  /**
   * Adds a listener of changes.
   *
   * @param listener Receives each new snapshot.
   * @returns A function that removes it.
   */
  listen(listener: (snapshot: NodeSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolves once no read is under way (at once when none is).
   *
   * @returns A promise of that moment.
   */
  settled(): Promise<void> {
    const reader = this.#reader;
    if (reader.pending === 0 && (reader.loaded || reader.zk === undefined)) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Follows the path on a new session: sets its watches and reads it whole.
   *
   * @param zk The session's client.
   */
  attach(zk: ZooKeeper): void {
    if (this.#closed) return;
    this.#reader.attach(zk, this.#context.modeFor(zk));
  }

  /**
   * The same session is back after a disconnection: reads what the restored
   * watches cannot report.
   */
  reconnected(): void {
    const zk = this.#reader.zk;
    if (this.#closed || zk === undefined) return;
    if (this.#snapshot === undefined) this.#firstReadOnly = false;
    if (!this.#reader.loaded) return this.attach(zk);
    this.#reader.reconnected();
  }

  /** The session is gone (expired or closed): keep what is known, read nothing. */
  detach(): void {
    if (this.#snapshot === undefined) this.#firstReadOnly = false;
    this.#reader.detach();
    this.#wake();
  }

  /**
   * Stops following the path, leaving its watches to the session's end
   * (which is coming: the registry closes).
   */
  stop(): void {
    this.#closed = true;
    this.#listeners.clear();
    this.#reader.stop();
    this.#wake();
  }

  /**
   * Stops following the path and removes its watches from the server.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    const reader = this.#reader;
    const zk = reader.zk;
    const children = this.childData ? [...reader.state.names(), ...reader.reading] : [];
    this.stop();
    if (zk === undefined || zk.state.type === "closed") return;
    // A watch is known to the client once its request is answered: removed
    // before, it would be set after its removal, and stay.
    await reader.quiet();
    const local = !zk.connected;
    const remove = (path: string, type: "any" | "data") =>
      zk.removeWatches(path, this.#watcher, type, { local }).catch((error) => {
        if (!ZooKeeperError.is(error, "NOWATCHER") && !isInterrupted(error)) throw error;
      });
    const work = [remove(this.path, "any")];
    for (const name of new Set(children)) work.push(remove(joinPath(this.path, name), "data"));
    await Promise.all(work);
  }

  #onEvent(event: WatchedEvent): void {
    const reader = this.#reader;
    const zk = reader.zk;
    if (this.#closed || zk === undefined || event.type === "None") return;
    if (event.type.endsWith("Removed")) return;
    const name = event.path === this.path ? undefined : this.#childName(event.path);
    if (event.path !== this.path && name === undefined) return;
    const state = reader.state;
    const tick = state.nextTick();
    this.#barriers.heard();
    if (this.#snapshot === undefined) this.#firstReadOnly = false;
    if (event.path === this.path) {
      switch (event.type) {
        case "NodeCreated":
        case "NodeDataChanged":
          state.stampNode(tick);
          reader.readNode(zk);
          if (event.type === "NodeCreated" && reader.mode === "oneShot") reader.list(zk, false);
          break;
        case "NodeDeleted":
          state.stampNode(tick);
          state.stampList(tick);
          state.setNode(null);
          for (const name of state.names()) reader.removeChild(name, tick);
          // The one-shot watches that fired are set again, to hear of the
          // node's creation; a recursive watch hears of it anyway. The node
          // may be back before the read (no creation event then), so its
          // children are listed too, which also sets their watch again.
          if (reader.mode === "oneShot") {
            reader.readNode(zk);
            reader.list(zk, false);
          }
          break;
        case "NodeChildrenChanged":
          state.stampList(tick);
          reader.list(zk, false);
          break;
      }
    } else if (name !== undefined) {
      switch (event.type) {
        case "NodeCreated":
        case "NodeDataChanged":
          state.stampChild(name, tick);
          if (this.childData) reader.readChild(zk, name);
          else state.setChild(name, { value: null, mzxid: 0n });
          break;
        case "NodeDeleted":
          reader.removeChild(name, tick);
          break;
      }
    }
    // Nothing is published before the hold below has run.
    if (!this.#barrierDue) {
      this.#barrierDue = true;
      queueMicrotask(() => this.#holdForTransaction());
    }
  }

  // The other events of one transaction (a multi, a session's close that
  // removes several ephemeral nodes) come before the reply to any request
  // sent now: a change that reads nothing waits for one, so that the
  // transaction is published once, whole, and never half applied. A request
  // sent before the last event does not hold it back: its reply may have come
  // before that event, and be handled after it. Events are handled one
  // microtask each, in wire order, so this runs once after those that came
  // together, and one request holds them all back: in every cache of the
  // registry that heard one of them (`Barriers`).
  #holdForTransaction(): void {
    this.#barrierDue = false;
    const reader = this.#reader;
    const zk = reader.zk;
    if (this.#closed || zk === undefined) return;
    // An event that changes nothing known still holds back the replies under
    // way that it makes old news, and a first read's.
    const held = reader.state.dirty || reader.pending > 0 || this.#snapshot === undefined;
    if (held && !reader.askedSince(reader.state.tick)) reader.barrier(zk);
    this.#publishWhenIdle();
  }

  // The name of a direct child, `undefined` for any other path (deeper nodes
  // reach a recursive watch too, and are none of this cache's business).
  #childName(path: string): string | undefined {
    const prefix = this.path === "/" ? "/" : this.path + "/";
    if (!path.startsWith(prefix)) return undefined;
    const name = path.slice(prefix.length);
    return name === "" || name.includes("/") ? undefined : name;
  }

  // A snapshot is published once the replies of a burst are all in, so
  // listeners never see a half-applied change.
  #publishWhenIdle(): void {
    const reader = this.#reader;
    if (reader.pending > 0 || this.#barrierDue || this.#closed) return;
    // A read lost with the connection is part of its burst: what is known
    // without it may be a state the tree never was in, so it waits for the
    // redo on reconnection (or a whole read on a new session).
    if (reader.lost) return this.#wake();
    if (reader.failure !== undefined && this.#snapshot === undefined) return this.#wake();
    reader.state.clearStamps();
    // While a read fails, what is known may be out of date, and says so.
    const stale = reader.failing;
    if (!stale) reader.resetBackoff();
    if (reader.state.dirty || this.#snapshot === undefined || this.#snapshot.stale !== stale) {
      if (reader.loaded || reader.zk === undefined) this.#publish(stale);
    }
    this.#wake();
  }

  #wake(): void {
    if (this.#reader.pending > 0 && this.#reader.zk !== undefined) return;
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }

  #publish(stale: boolean): void {
    const snapshot = this.#reader.state.snapshot(this.path);
    if (stale) snapshot.stale = true;
    this.#snapshot = snapshot;
    this.#context.onSnapshot(snapshot, snapshot.stat === null ? 0 : this.#reader.state.size);
    notifyAll(this.#listeners, snapshot, this.#context.onError);
  }
}
