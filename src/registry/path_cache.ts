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
 * Events and replies may be handled in either order (see `CacheState`).
 *
 * @module
 */

import { isInterrupted } from "../client/retry.ts";
import { joinPath } from "../protocol/path.ts";
import type { WatchedEvent } from "../client/watch_registry.ts";
import type { ZooKeeper } from "../client/zookeeper.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import type { Stat } from "../protocol/records_data.ts";
import type { Clock } from "../util/clock.ts";
import { notifyAll } from "../util/notify.ts";
import { Backoff } from "./backoff.ts";
import { CacheState } from "./cache_state.ts";
import { decodeNodeData } from "./node_data.ts";
import type { Gate, NodeSnapshot } from "./snapshot.ts";

/** How a cache hears of changes. */
export type CacheMode = "persistent" | "oneShot";

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
}

/** A key of the work to redo after a lost reply. */
type Redo = "node" | "list" | "barrier" | `child:${string}`;

/** One path kept current. */
export class PathCache {
  /** The path. */
  readonly path: string;
  /** Whether children's data is kept (else names only). */
  readonly childData: boolean;
  readonly #context: PathCacheContext;
  readonly #listeners = new Set<(snapshot: NodeSnapshot) => void>();
  readonly #state = new CacheState();
  readonly #reading = new Set<string>();
  readonly #redo = new Set<Redo>();
  // Reads that failed for a reason a reconnection does not cure (a reply
  // over the receive limit, say), tried again with backoff.
  readonly #failing = new Set<Redo>();
  readonly #backoff: Backoff;
  #zk: ZooKeeper | undefined;
  #mode: CacheMode = "persistent";
  #generation = 0;
  #pending = 0;
  #loaded = false;
  #closed = false;
  #snapshot: NodeSnapshot | undefined;
  #idle: (() => void)[] = [];
  #failure: unknown;

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
    this.#backoff = new Backoff(context.clock);
  }

  /** The last snapshot published, if the path was ever read. */
  get snapshot(): NodeSnapshot | undefined {
    return this.#snapshot;
  }

  /** Why the first read failed, when it did (the cache then has no snapshot). */
  get failure(): unknown {
    return this.#failure;
  }

  /** How the cache hears of changes on its current session. */
  get mode(): CacheMode {
    return this.#mode;
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
    if (this.#pending === 0 && (this.#loaded || this.#zk === undefined)) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Follows the path on a new session: sets its watches and reads it whole.
   *
   * @param zk The session's client.
   */
  attach(zk: ZooKeeper): void {
    if (this.#closed) return;
    this.#zk = zk;
    this.#generation++;
    this.#pending = 0;
    this.#reading.clear();
    this.#redo.clear();
    this.#failing.clear();
    this.#backoff.cancel();
    this.#state.clearStamps();
    this.#loaded = false;
    this.#mode = this.#context.modeFor(zk);
    this.#load(zk);
  }

  /**
   * The same session is back after a disconnection: reads what the restored
   * watches cannot report.
   */
  reconnected(): void {
    const zk = this.#zk;
    if (this.#closed || zk === undefined) return;
    if (!this.#loaded) return this.attach(zk);
    const redo = new Set(this.#redo);
    this.#redo.clear();
    // The server replays nothing for a persistent watch: one listing finds
    // the children added while the client was away, and the node's Stat that
    // comes with it tells whether its data changed too (a one-shot watch on
    // the node would take the place of the recursive one on servers before
    // 3.9, which keep one watch mode per path).
    const persistent = this.#mode === "persistent";
    if (persistent) redo.add("list");
    for (const key of redo) {
      if (key === "node") this.#readNode(zk);
      else if (key === "list") this.#list(zk, false, persistent);
      else if (key === "barrier") this.#barrier(zk);
      else this.#readChild(zk, key.slice(6));
    }
  }

  /** The session is gone (expired or closed): keep what is known, read nothing. */
  detach(): void {
    this.#zk = undefined;
    this.#generation++;
    this.#pending = 0;
    this.#reading.clear();
    this.#wake();
  }

  /**
   * Stops following the path, leaving its watches to the session's end
   * (which is coming: the registry closes).
   */
  stop(): void {
    this.#closed = true;
    this.#listeners.clear();
    this.#backoff.cancel();
    this.detach();
  }

  /**
   * Stops following the path and removes its watches from the server.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    const zk = this.#zk;
    this.stop();
    if (zk === undefined || zk.state.type === "closed") return;
    const local = !zk.connected;
    const remove = (path: string, type: "any" | "data") =>
      zk.removeWatches(path, this.#watcher, type, { local }).catch((error) => {
        if (!ZooKeeperError.is(error, "NOWATCHER") && !isInterrupted(error)) throw error;
      });
    const work = [remove(this.path, "any")];
    if (this.childData) {
      for (const name of this.#state.names()) {
        work.push(remove(joinPath(this.path, name), "data"));
      }
    }
    await Promise.all(work);
  }

  #load(zk: ZooKeeper): void {
    const generation = this.#generation;
    const start = () => {
      if (generation !== this.#generation) return;
      this.#loaded = true;
      this.#readNode(zk);
      this.#list(zk, true);
    };
    if (this.#mode === "oneShot") return start();
    this.#track(
      "node",
      () => zk.addWatch(this.path, "persistentRecursive", this.#watcher),
      start,
      (error) => {
        if (!ZooKeeperError.is(error, "UNIMPLEMENTED")) return false;
        this.#context.noPersistentWatches(zk);
        this.#mode = "oneShot";
        start();
        return true;
      },
    );
  }

  #onEvent(event: WatchedEvent): void {
    const zk = this.#zk;
    if (this.#closed || zk === undefined || event.type === "None") return;
    if (event.type.endsWith("Removed")) return;
    const state = this.#state;
    const tick = state.nextTick();
    if (event.path === this.path) {
      switch (event.type) {
        case "NodeCreated":
        case "NodeDataChanged":
          state.stampNode(tick);
          this.#readNode(zk);
          if (event.type === "NodeCreated" && this.#mode === "oneShot") this.#list(zk, false);
          break;
        case "NodeDeleted":
          state.stampNode(tick);
          state.stampList(tick);
          state.setNode(null);
          for (const name of state.names()) this.#removeChild(name, tick);
          // The one-shot watches that fired are set again, to hear of the
          // node's creation; a recursive watch hears of it anyway. The node
          // may be back before the read (no creation event then), so its
          // children are listed too, which also sets their watch again.
          if (this.#mode === "oneShot") {
            this.#readNode(zk);
            this.#list(zk, false);
          }
          break;
        case "NodeChildrenChanged":
          state.stampList(tick);
          this.#list(zk, false);
          break;
      }
    } else {
      const name = this.#childName(event.path);
      if (name === undefined) return;
      switch (event.type) {
        case "NodeCreated":
        case "NodeDataChanged":
          state.stampChild(name, tick);
          if (this.childData) this.#readChild(zk, name);
          else state.setChild(name, { value: null, mzxid: 0n });
          break;
        case "NodeDeleted":
          this.#removeChild(name, tick);
          break;
      }
    }
    // The other events of one transaction (a multi, a session's close that
    // removes several ephemeral nodes) come before the reply to any request
    // sent now: a change that reads nothing waits for one, so that the
    // transaction is published once, whole, and never half applied.
    if (this.#pending === 0 && state.dirty) this.#barrier(zk);
    this.#publishWhenIdle();
  }

  #barrier(zk: ZooKeeper): void {
    this.#track("barrier", () => zk.exists(this.path), () => {});
  }

  // The name of a direct child, `undefined` for any other path (deeper nodes
  // reach a recursive watch too, and are none of this cache's business).
  #childName(path: string): string | undefined {
    const prefix = this.path === "/" ? "/" : this.path + "/";
    if (!path.startsWith(prefix)) return undefined;
    const name = path.slice(prefix.length);
    return name === "" || name.includes("/") ? undefined : name;
  }

  #readNode(zk: ZooKeeper): void {
    const state = this.#state;
    const asked = state.tick;
    const watch = this.#mode === "oneShot" ? this.#watcher : undefined;
    this.#track("node", () => zk.getData(this.path, { watch }), (node) => {
      if (state.nodeFresh(asked)) {
        state.setNode({ value: decodeNodeData(node.data), stat: node.stat });
      }
    }, (error) => {
      if (!ZooKeeperError.is(error, "NONODE")) return false;
      if (state.nodeFresh(asked)) state.setNode(null);
      if (watch === undefined) return true;
      // Watch for its creation; created meanwhile, it is read again.
      this.#track("node", () => zk.exists(this.path, { watch }), (stat) => {
        if (stat !== null && state.nodeFresh(asked)) this.#readNode(zk);
      });
      return true;
    });
  }

  /**
   * Lists the children: adds those not known (reading their data), drops
   * those gone. `whole` (a new session) reads every child again; `checkNode`
   * reads the node again when the listing's Stat shows it changed.
   */
  #list(zk: ZooKeeper, whole: boolean, checkNode = false): void {
    const state = this.#state;
    const asked = state.tick;
    const options = this.#mode === "oneShot" ? { watch: this.#watcher } : {};
    const request: () => Promise<{ children: string[]; stat?: Stat | undefined }> = checkNode
      ? () => zk.getChildrenWithStat(this.path, options)
      : async () => ({ children: await zk.getChildren(this.path, options), stat: undefined });
    this.#track("list", request, ({ children: names, stat }) => {
      if (stat !== undefined && state.nodeFresh(asked) && state.nodeChanged(stat)) {
        this.#readNode(zk);
      }
      if (!state.listFresh(asked)) return;
      const listed = new Set(names);
      let again = false;
      for (const name of names) {
        // Deleted since the listing was asked, and maybe created again
        // before it was answered: no event would tell, so list again.
        if (state.deletedSince(name, asked)) again = true;
        if (!state.childFresh(name, asked) || this.#reading.has(name)) continue;
        if (!this.childData) state.setChild(name, { value: null, mzxid: 0n });
        else if (whole || !state.has(name)) this.#readChild(zk, name);
      }
      for (const name of state.names()) {
        if (!listed.has(name) && state.childFresh(name, asked)) this.#removeChild(name, asked);
      }
      if (again) this.#list(zk, false);
    }, (error) => {
      if (!ZooKeeperError.is(error, "NONODE")) return false;
      // No node, no children: the node's own watch reports its creation.
      if (checkNode && state.nodeFresh(asked)) state.setNode(null);
      for (const name of state.names()) {
        if (state.childFresh(name, asked)) this.#removeChild(name, asked);
      }
      return true;
    });
  }

  #readChild(zk: ZooKeeper, name: string): void {
    const state = this.#state;
    const asked = state.tick;
    const path = joinPath(this.path, name);
    this.#reading.add(name);
    const done = () => {
      if (state.childFresh(name, asked)) this.#reading.delete(name);
    };
    this.#track(`child:${name}`, () => zk.getData(path, { watch: this.#watcher }), (child) => {
      done();
      if (!state.childFresh(name, asked)) return;
      state.setChild(name, { value: decodeNodeData(child.data), mzxid: child.stat.mzxid });
    }, (error) => {
      done();
      if (!state.childFresh(name, asked)) return ZooKeeperError.is(error);
      // Gone between the event and the read: its deletion is on its way.
      if (ZooKeeperError.is(error, "NONODE")) this.#removeChild(name, asked);
      else if (ZooKeeperError.is(error) && !isInterrupted(error)) {
        // One child the registry may not read leaves the others readable.
        state.setChild(name, { value: null, mzxid: 0n, error });
      } else return false;
      return true;
    });
  }

  /**
   * Runs one request for the current session and applies its reply, unless
   * the session changed meanwhile. A reply lost with the connection is
   * redone on reconnection; `recover` handles expected errors.
   */
  #track<T>(
    redo: Redo,
    request: () => Promise<T>,
    apply: (reply: T) => void,
    recover?: (error: unknown) => boolean,
  ): void {
    const generation = this.#generation;
    const current = () => generation === this.#generation && !this.#closed;
    this.#pending++;
    (async () => {
      await this.#context.gate();
      return request();
    })().then((reply) => {
      if (current()) apply(reply);
    }, (error) => {
      if (!current()) return;
      if (recover?.(error)) return;
      if (isInterrupted(error)) {
        this.#redo.add(redo);
        if (redo.startsWith("child:")) this.#reading.delete(redo.slice(6));
      } else {
        // The first read failed (not authorized, say): the lookup waiting
        // for it gets the error. Later, the listeners are told of it by a
        // stale snapshot and onError. Either way it is tried again later.
        if (this.#snapshot === undefined) this.#failure ??= error;
        else this.#context.onError(error);
        this.#failing.add(redo);
        this.#backoff.schedule(() => this.#retry());
      }
    }).catch((error) => this.#context.onError(error)).finally(() => {
      if (!current()) return;
      this.#pending--;
      this.#publishWhenIdle();
    });
  }

  // Tries the failed reads again, on the current session.
  #retry(): void {
    const zk = this.#zk;
    if (this.#closed || zk === undefined) return;
    const failing = [...this.#failing];
    this.#failing.clear();
    this.#failure = undefined;
    if (!this.#loaded) return this.#load(zk);
    for (const key of failing) {
      if (key === "node") this.#readNode(zk);
      else if (key === "list") this.#list(zk, false, this.#mode === "persistent");
      else if (key === "barrier") this.#barrier(zk);
      else this.#readChild(zk, key.slice(6));
    }
  }

  #removeChild(name: string, tick: number): void {
    this.#reading.delete(name);
    this.#state.removeChild(name, tick);
  }

  // A snapshot is published once the replies of a burst are all in, so
  // listeners never see a half-applied change.
  #publishWhenIdle(): void {
    if (this.#pending > 0 || this.#closed) return;
    // A read lost with the connection is part of its burst: what is known
    // without it may be a state the tree never was in, so it waits for the
    // redo on reconnection (or a whole read on a new session).
    if (this.#redo.size > 0) return this.#wake();
    if (this.#failure !== undefined && this.#snapshot === undefined) return this.#wake();
    this.#state.clearStamps();
    // While a read fails, what is known may be out of date, and says so.
    const stale = this.#failing.size > 0;
    if (!stale) this.#backoff.reset();
    if (this.#state.dirty || this.#snapshot === undefined || this.#snapshot.stale !== stale) {
      if (this.#loaded || this.#zk === undefined) this.#publish(stale);
    }
    this.#wake();
  }

  #wake(): void {
    if (this.#pending > 0 && this.#zk !== undefined) return;
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }

  #publish(stale: boolean): void {
    const snapshot = this.#state.snapshot(this.path);
    if (stale) snapshot.stale = true;
    this.#snapshot = snapshot;
    this.#context.onSnapshot(snapshot, snapshot.stat === null ? 0 : this.#state.size);
    notifyAll(this.#listeners, snapshot, this.#context.onError);
  }
}
