/**
 * The reads of a `PathCache` on its current session: the node, the listing
 * and each child, every reply applied only while its session lasts and only
 * where no newer event has been (see `CacheState`). A read lost with the
 * connection is redone on reconnection; one that fails for a reason a
 * reconnection does not cure is tried again with backoff.
 *
 * @module
 */

import { isInterrupted } from "../client/retry.ts";
import { joinPath } from "../protocol/path.ts";
import type { ZooKeeper } from "../client/zookeeper.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import type { Stat } from "../protocol/records_data.ts";
import { Backoff } from "./backoff.ts";
import type { CacheMode, CacheReaderHost } from "./cache_host.ts";
import { CacheState } from "./cache_state.ts";
import { decodeNodeData } from "./node_data.ts";

export type { CacheMode, CacheReaderHost } from "./cache_host.ts";

/** What a request not sent because its cache stopped meanwhile rejects with. */
const STOPPED = new Error("The cache stopped before the request was sent");

/** A key of the work to redo after a lost reply (a whole listing is redone whole). */
type Redo = "node" | "list" | "wholeList" | "barrier" | `child:${string}`;

/** The reads of one cache, and what they learnt. */
export class CacheReader {
  readonly #host: CacheReaderHost;
  readonly #state = new CacheState();
  readonly #reading = new Set<string>();
  readonly #redo = new Set<Redo>();
  // Reads that failed for a reason a reconnection does not cure (a reply
  // over the receive limit, say), tried again with backoff.
  readonly #failing = new Set<Redo>();
  readonly #backoff: Backoff;
  // Every request sent and not yet answered, whatever its session (not
  // those still waiting for the gate: they are not sent once stopped).
  readonly #inFlight = new Set<Promise<unknown>>();
  #zk: ZooKeeper | undefined;
  #mode: CacheMode = "persistent";
  #generation = 0;
  #pending = 0;
  #askedAt = -1;
  #loaded = false;
  #failure: unknown;

  /** @param host What the reads need from their cache. */
  constructor(host: CacheReaderHost) {
    this.#host = host;
    this.#backoff = new Backoff(host.clock);
  }

  /** What is known of the path. */
  get state(): CacheState {
    return this.#state;
  }

  /** The current session's client, if any. */
  get zk(): ZooKeeper | undefined {
    return this.#zk;
  }

  /** How the cache hears of changes on its current session. */
  get mode(): CacheMode {
    return this.#mode;
  }

  /** Number of requests under way. */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Whether a request was asked at `tick` or later: its reply follows the
   * rest of the transaction of an event handled at `tick`.
   *
   * @param tick An event's tick.
   * @returns Whether such a request is under way or answered.
   */
  askedSince(tick: number): boolean {
    return this.#askedAt >= tick;
  }

  /** Whether the whole read of the current session has begun. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** Why the first read failed, when it did and nothing was published yet. */
  get failure(): unknown {
    return this.#failure;
  }

  /** Whether a read lost with the connection waits for the reconnection. */
  get lost(): boolean {
    return this.#redo.size > 0;
  }

  /** Whether a read fails and waits to be tried again. */
  get failing(): boolean {
    return this.#failing.size > 0;
  }

  /** The children whose read is under way. */
  get reading(): ReadonlySet<string> {
    return this.#reading;
  }

  /** @returns A promise, never rejected, of when every request sent so far is settled. */
  async quiet(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled(this.#inFlight);
  }

  /**
   * Starts on a new session: forgets the reads of the last one, sets the
   * watches and reads the path whole.
   *
   * @param zk The session's client.
   * @param mode How the cache hears of changes on it.
   */
  attach(zk: ZooKeeper, mode: CacheMode): void {
    this.#zk = zk;
    this.#generation++;
    this.#pending = 0;
    this.#reading.clear();
    this.#redo.clear();
    this.#failing.clear();
    this.#backoff.cancel();
    this.#state.clearStamps();
    this.#loaded = false;
    this.#mode = mode;
    this.#load(zk);
  }

  /**
   * The same session is back: redoes the reads lost with the connection,
   * and what the restored watches cannot report.
   */
  reconnected(): void {
    const zk = this.#zk;
    if (zk === undefined) return;
    const redo = new Set(this.#redo);
    this.#redo.clear();
    // The server replays nothing for a persistent watch: one listing finds
    // the children added while the client was away, and the node's Stat that
    // comes with it tells whether its data changed too (a one-shot watch on
    // the node would take the place of the recursive one on servers before
    // 3.9, which keep one watch mode per path).
    if (this.#mode === "persistent" && !redo.has("wholeList")) redo.add("list");
    for (const key of redo) this.#again(zk, key);
  }

  /** The session is gone: the replies still to come are ignored. */
  detach(): void {
    this.#zk = undefined;
    this.#generation++;
    this.#pending = 0;
    this.#reading.clear();
  }

  /** Stops for good: no retry is scheduled any more. */
  stop(): void {
    this.#backoff.cancel();
    this.detach();
  }

  /** Every read succeeded: the next failure waits the shortest time again. */
  resetBackoff(): void {
    this.#backoff.reset();
  }

  #load(zk: ZooKeeper): void {
    const generation = this.#generation;
    const start = () => {
      if (generation !== this.#generation) return;
      this.#loaded = true;
      this.readNode(zk);
      this.list(zk, true);
    };
    if (this.#mode === "oneShot") return start();
    this.#track(
      "node",
      () => zk.addWatch(this.#host.path, "persistentRecursive", this.#host.watcher),
      start,
      (error) => {
        if (!ZooKeeperError.is(error, "UNIMPLEMENTED")) return false;
        this.#host.noPersistentWatches(zk);
        this.#mode = "oneShot";
        start();
        return true;
      },
    );
  }

  /**
   * Asks the server a question whose reply comes after the events of the
   * transaction being applied.
   *
   * @param zk The session's client.
   */
  barrier(zk: ZooKeeper): void {
    this.#track("barrier", () => this.#host.barrier(zk), () => {});
  }

  /**
   * Reads the node (setting its watch in one-shot mode).
   *
   * @param zk The session's client.
   */
  readNode(zk: ZooKeeper): void {
    const state = this.#state;
    const path = this.#host.path;
    const asked = state.tick;
    const watch = this.#mode === "oneShot" ? this.#host.watcher : undefined;
    this.#track("node", () => zk.getData(path, { watch }), (node) => {
      if (state.nodeFresh(asked)) {
        state.setNode({ value: decodeNodeData(node.data), stat: node.stat });
      }
    }, (error) => {
      if (!ZooKeeperError.is(error, "NONODE")) return false;
      if (state.nodeFresh(asked)) state.setNode(null);
      if (watch === undefined) return true;
      // Watch for its creation; created meanwhile, it is read again, and
      // listed, as its creation's event would have it (the listing that
      // found no node set no watch on its children).
      this.#track("node", () => zk.exists(path, { watch }), (stat) => {
        if (stat === null) return;
        if (state.nodeFresh(asked)) this.readNode(zk);
        this.list(zk, false);
      });
      return true;
    });
  }

  /**
   * Lists the children: adds those not known (reading their data), drops
   * those gone.
   *
   * @param zk The session's client.
   * @param whole A new session: every child is read again.
   * @param checkNode Reads the node again when the listing's Stat shows it
   *   changed.
   */
  list(zk: ZooKeeper, whole: boolean, checkNode = false): void {
    const state = this.#state;
    const path = this.#host.path;
    const asked = state.tick;
    const options = this.#mode === "oneShot" ? { watch: this.#host.watcher } : {};
    const request: () => Promise<{ children: string[]; stat?: Stat | undefined }> = checkNode
      ? () => zk.getChildrenWithStat(path, options)
      : async () => ({ children: await zk.getChildren(path, options), stat: undefined });
    this.#track(whole ? "wholeList" : "list", request, ({ children: names, stat }) => {
      if (stat !== undefined && state.nodeFresh(asked) && state.nodeChanged(stat)) {
        this.readNode(zk);
      }
      if (!state.listFresh(asked)) return;
      const listed = new Set(names);
      let again = false;
      for (const name of names) {
        // Deleted since the listing was asked, and maybe created again
        // before it was answered: no event would tell, so list again.
        if (state.deletedSince(name, asked)) again = true;
        if (!state.childFresh(name, asked) || this.#reading.has(name)) continue;
        if (!this.#host.childData) state.setChild(name, { value: null, mzxid: 0n });
        else if (whole || !state.has(name)) this.readChild(zk, name);
      }
      for (const name of state.names()) {
        if (!listed.has(name) && state.childFresh(name, asked)) this.removeChild(name, asked);
      }
      if (again) this.list(zk, false);
    }, (error) => {
      if (!ZooKeeperError.is(error, "NONODE")) return false;
      // No node, no children: the node's own watch reports its creation.
      if (checkNode && state.nodeFresh(asked)) state.setNode(null);
      for (const name of state.names()) {
        if (state.childFresh(name, asked)) this.removeChild(name, asked);
      }
      return true;
    });
  }

  /**
   * Reads a child's data, setting its data watch.
   *
   * @param zk The session's client.
   * @param name The child's name.
   */
  readChild(zk: ZooKeeper, name: string): void {
    const state = this.#state;
    const asked = state.tick;
    const path = joinPath(this.#host.path, name);
    this.#reading.add(name);
    const done = () => {
      if (state.childFresh(name, asked)) this.#reading.delete(name);
    };
    this.#track(`child:${name}`, () => zk.getData(path, { watch: this.#host.watcher }), (child) => {
      done();
      if (!state.childFresh(name, asked)) return;
      state.setChild(name, { value: decodeNodeData(child.data), mzxid: child.stat.mzxid });
    }, (error) => {
      done();
      if (!state.childFresh(name, asked)) return ZooKeeperError.is(error);
      // Gone between the event and the read: its deletion is on its way.
      if (ZooKeeperError.is(error, "NONODE")) this.removeChild(name, asked);
      else if (ZooKeeperError.is(error) && !isInterrupted(error)) {
        // One child the registry may not read leaves the others readable.
        state.setChild(name, { value: null, mzxid: 0n, error });
      } else return false;
      return true;
    });
  }

  /**
   * Forgets a child, as of an event or a reply.
   *
   * @param name The child's name.
   * @param tick When it was learnt gone.
   */
  removeChild(name: string, tick: number): void {
    this.#reading.delete(name);
    this.#state.removeChild(name, tick);
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
    const current = () => generation === this.#generation;
    this.#pending++;
    this.#askedAt = this.#state.tick;
    const sent = (async () => {
      await this.#host.gate();
      // Stopped, or on another session, while waiting: nothing goes out.
      if (!current()) throw STOPPED;
      const reply = request();
      const inFlight = this.#inFlight;
      inFlight.add(reply);
      const settled = () => inFlight.delete(reply);
      reply.then(settled, settled);
      return reply;
    })();
    sent.then((reply) => {
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
        if (!this.#host.published()) this.#failure ??= error;
        else this.#host.onError(error);
        this.#failing.add(redo);
        this.#backoff.schedule(() => this.#retry());
      }
    }).catch((error) => this.#host.onError(error)).finally(() => {
      if (!current()) return;
      this.#pending--;
      this.#host.replied();
    });
  }

  // Tries the failed reads again, on the current session.
  #retry(): void {
    const zk = this.#zk;
    if (zk === undefined) return;
    const failing = [...this.#failing];
    this.#failing.clear();
    this.#failure = undefined;
    if (!this.#loaded) return this.#load(zk);
    for (const key of failing) this.#again(zk, key);
  }

  #again(zk: ZooKeeper, key: Redo): void {
    if (key === "node") {
      this.readNode(zk);
      // The lost read may have been the one that watched for the node's
      // creation: with one-shot watches, its children are listed too.
      if (this.#mode === "oneShot") this.list(zk, false);
    } else if (key === "list" || key === "wholeList") {
      this.list(zk, key === "wholeList", this.#mode === "persistent");
    } else if (key === "barrier") this.barrier(zk);
    else this.readChild(zk, key.slice(6));
  }
}
