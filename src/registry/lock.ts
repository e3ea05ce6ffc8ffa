/**
 * A distributed lock, or with `simultaneous > 1` a semaphore, by ZooKeeper's
 * own recipe: every contender creates an ephemeral sequential node under the
 * lock's path; the first `simultaneous` in sequence order hold it; each other
 * contender watches only the node `simultaneous` places ahead of its own, so a
 * release wakes one waiter, never the herd. Nodes are named as Curator's
 * protected mode names them: `_c_<uuid>-lock-<sequence>`.
 *
 * @see https://zookeeper.apache.org/doc/current/recipes.html#sc_recipes_Locks
 * @module
 */

import { ensurePath } from "../client/recipes.ts";
import { baseName, joinPath } from "../protocol/path.ts";
import type { ZooKeeper } from "../client/zookeeper.ts";
import type { Watcher } from "../client/watch_registry.ts";
import { isTransient, retry } from "../client/retry.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import { endOfKeeperState } from "../session/state.ts";
import { hostName, processId } from "./node_data.ts";
import { watchHolding } from "./lock_holding.ts";

/**
 * Orders contenders' node names by their sequence number: the parent's
 * cversion as a signed 32-bit integer, `%010d` (`PrepRequestProcessor`), so
 * past 2^31 it is negative and 11 characters long. Read as unsigned, the
 * numbers after the wrap come after those before it.
 *
 * @param a A node name.
 * @param b Another.
 * @returns Negative when `a` comes first.
 */
export function bySequence(a: string, b: string): number {
  return sequenceOf(a) - sequenceOf(b);
}

function sequenceOf(name: string): number {
  return Number(name.slice(name.lastIndexOf(PREFIX) + PREFIX.length)) >>> 0;
}

/** Options of a {@linkcode Lock}. */
export interface LockOptions {
  /** Who holds it, stored as the node's data. @default {"<hostname or runtime>:<pid>"} */
  name?: string | undefined;
  /** How many may hold it at once; more than one makes a semaphore. @default {1} */
  simultaneous?: number | undefined;
  /**
   * How long `acquire` waits, in ms of the client's clock (`zk.clock`): 0
   * tries once; undefined waits until it gets it.
   */
  wait?: number | undefined;
  /** Aborts waiting: `acquire` rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Called once when a held lock is lost: the session expired or closed, or the node was deleted. */
  onLost?: ((reason: Error) => void) | undefined;
}

const PREFIX = "lock-";
const ATTEMPTS = 6;

/** Contenders' nodes among a lock's children, by sequence number. */
function contenders(children: string[]): string[] {
  return children.filter((c) => c.includes(PREFIX)).sort(bySequence);
}
const decoder = new TextDecoder();

/** A node gone, or going with its session: nothing left to read or delete. */
function gone(error: unknown): undefined {
  if (!ZooKeeperError.is(error, "NONODE", "SESSIONEXPIRED", "CLOSED")) throw error;
  return undefined;
}

function noNode(error: unknown): undefined {
  if (!ZooKeeperError.is(error, "NONODE")) throw error;
  return undefined;
}

async function defaultName(): Promise<string> {
  const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
  return `${(await hostName()) ?? runtime}:${processId() ?? "?"}`;
}

/**
 * A contender for a lock (or semaphore) under a path. One `Lock` holds at most
 * once at a time; make one per holder.
 *
 * @example Doing work under a lock
 * ```ts ignore
 * await using lock = new Lock(zk, "/locks/reindex", { wait: 10_000 });
 * if (await lock.acquire()) await reindex();
 * ```
 */
export class Lock implements AsyncDisposable {
  /** The lock's path; contenders' nodes are its children. */
  readonly path: string;
  readonly #zk: ZooKeeper;
  readonly #options: LockOptions;
  readonly #simultaneous: number;
  readonly #id: string = crypto.randomUUID();
  /** Our node's name once known. */
  #node: string | undefined;
  /** A create was sent whose node we have not found yet. */
  #unsure = false;
  #acquiring: Promise<boolean> | undefined;
  #giveUp: AbortController | undefined;
  #holding: { stop: () => void } | undefined;

  /**
   * Prepares a contender; nothing is sent before `acquire()`.
   *
   * @param zk The client whose session holds the lock.
   * @param path The lock's node; it and its parents are created if missing.
   * @param options Name, number of holders, wait, abort and loss callback.
   * @throws {RangeError} When `simultaneous` is not a positive integer.
   */
  constructor(zk: ZooKeeper, path: string, options: LockOptions = {}) {
    const simultaneous = options.simultaneous ?? 1;
    if (!Number.isInteger(simultaneous) || simultaneous < 1) {
      throw new RangeError(`Lock "${path}": simultaneous must be a positive integer`);
    }
    this.#zk = zk;
    this.path = path;
    this.#options = options;
    this.#simultaneous = simultaneous;
  }

  /** Whether this contender holds the lock now. */
  get held(): boolean {
    return this.#holding !== undefined;
  }

  /**
   * Waits for the lock. Calls made while one is under way share its outcome.
   *
   * @returns `true` once held (at once if held already); `false` when `wait`
   *   ran out or `release()` was called meanwhile. Our node is deleted first.
   * @throws The signal's reason when aborted (our node is deleted first), and
   *   the client's errors (`SESSIONEXPIRED`, `CLOSED`, `NOAUTH`, ...).
   */
  acquire(): Promise<boolean> {
    if (this.#holding !== undefined) return Promise.resolve(true);
    return this.#acquiring ??= this.#acquire().finally(() => this.#acquiring = undefined);
  }

  /**
   * Releases the lock, or gives up waiting for it: deletes our node.
   * Idempotent.
   *
   * @throws The client's errors when the node could not be deleted; calling
   *   again retries.
   */
  async release(): Promise<void> {
    this.#giveUp?.abort();
    // Waits for an acquire() in flight, whose caller gets its error.
    await this.#acquiring?.catch(() => {});
    this.#holding?.stop();
    await this.#deleteNode();
  }

  /**
   * The names (node data) of those holding the lock now, in acquisition order.
   *
   * @returns At most `simultaneous` names; none when the lock's node is missing.
   * @throws The client's errors.
   */
  async holders(): Promise<string[]> {
    const children = await this.#contenders().catch(noNode) ?? [];
    const names = await Promise.all(
      children.slice(0, this.#simultaneous).map((c) =>
        this.#zk.getData(this.#child(c)).then((r) => decoder.decode(r.data), noNode)
      ),
    );
    return names.filter((n): n is string => n !== undefined);
  }

  /** Releases the lock, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }

  async #acquire(): Promise<boolean> {
    const { wait, signal } = this.#options;
    signal?.throwIfAborted();
    const giveUp = this.#giveUp = new AbortController();
    const clock = this.#zk.clock;
    const deadline = wait === undefined ? Infinity : clock.now() + Math.max(0, wait);
    try {
      await this.#ensurePath();
      this.#node ??= await this.#create(this.#options.name ?? await defaultName());
      for (;;) {
        signal?.throwIfAborted();
        if (giveUp.signal.aborted) break;
        const ahead = await this.#ahead();
        if (ahead === undefined) {
          this.#hold();
          return true;
        }
        const left = deadline - clock.now();
        if (left <= 0) break;
        if (this.#simultaneous === 1) await this.#waitGone(this.#child(ahead), left, giveUp.signal);
        else await this.#waitTurn(left, giveUp.signal);
      }
      await this.#deleteNode();
      return false;
    } catch (error) {
      // The caller gets the first error; a node that could not be deleted
      // stays known, and release() deletes it.
      await this.#deleteNode().catch(() => {});
      throw error;
    } finally {
      this.#giveUp = undefined;
    }
  }

  #child(name: string): string {
    return joinPath(this.path, name);
  }

  /** Retries transient failures (connection loss) of idempotent work. */
  #retry<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return retry(work, { attempts: ATTEMPTS, signal, clock: this.#zk.clock });
  }

  async #ensurePath(): Promise<void> {
    if (await this.#retry(() => this.#zk.exists(this.path))) return;
    await this.#retry(() => ensurePath(this.#zk, this.path));
  }

  // The id in the name lets a contender find its node after a connection loss
  // during the create instead of making a second one (Curator's protected mode).
  // It creates again only once a listing shows the first create did not happen.
  async #create(name: string): Promise<string> {
    const prefix = this.#child(`_c_${this.#id}-${PREFIX}`);
    this.#unsure = true;
    for (let attempt = 1;; attempt++) {
      this.#options.signal?.throwIfAborted();
      try {
        const created = await this.#zk.create(prefix, name, { mode: "ephemeralSequential" });
        this.#unsure = false;
        return baseName(created);
      } catch (error) {
        if (!isTransient(error) || attempt === ATTEMPTS) throw error;
      }
      const mine = await this.#findMine();
      if (mine !== undefined) {
        this.#unsure = false;
        return mine;
      }
    }
  }

  async #findMine(): Promise<string | undefined> {
    const children = await this.#retry(() => this.#zk.getChildren(this.path));
    return children.find((c) => c.startsWith(`_c_${this.#id}-`));
  }

  /** Contenders' nodes, by sequence number. */
  async #contenders(signal?: AbortSignal): Promise<string[]> {
    return contenders(await this.#retry(() => this.#zk.getChildren(this.path), signal));
  }

  /** The node to wait for, or `undefined` when ours is among the holders. */
  async #ahead(): Promise<string | undefined> {
    return this.#aheadIn(await this.#contenders(this.#options.signal));
  }

  /** The node to wait for among the contenders listed; `undefined` when ours holds. */
  #aheadIn(children: string[]): string | undefined {
    const index = children.indexOf(this.#node!);
    if (index === -1) {
      this.#node = undefined;
      throw new ZooKeeperError("NONODE", `Cannot lock "${this.path}": our node was deleted`, {
        path: this.path,
      });
    }
    return index < this.#simultaneous ? undefined : children[index - this.#simultaneous];
  }

  /** Waits until `path` changes or goes, the session ends, time runs out or we give up. */
  #waitGone(path: string, timeout: number, giveUp: AbortSignal): Promise<void> {
    return this.#waitWatch(path, "data", timeout, giveUp, async (watch) => {
      return (await this.#zk.exists(path, { watch })) !== null;
    });
  }

  // A semaphore's holders leave in any order, and the one `simultaneous`
  // places ahead need not be the first: any change of the contenders may
  // free a place (Curator's semaphore watches them all too).
  #waitTurn(timeout: number, giveUp: AbortSignal): Promise<void> {
    return this.#waitWatch(this.path, "children", timeout, giveUp, async (watch) => {
      return this.#aheadIn(contenders(await this.#zk.getChildren(this.path, { watch }))) !==
        undefined;
    });
  }

  // Sets a watch with `arm`, which says whether there is anything to wait
  // for, then waits for the watch, the end of the session, the time or the
  // caller's giving up.
  async #waitWatch(
    path: string,
    type: "data" | "children",
    timeout: number,
    giveUp: AbortSignal,
    arm: (watch: Watcher) => Promise<boolean>,
  ): Promise<void> {
    const signal = this.#options.signal;
    let fired = false;
    let wake!: (error?: unknown) => void;
    const woken = new Promise<void>((resolve, reject) => {
      wake = (error) => error === undefined ? resolve() : reject(error);
    });
    // Awaited below; until then a rejection is not unhandled.
    woken.catch(() => {});
    const watcher: Watcher = (event) => {
      if (event.type !== "None") fired = true;
      if (event.type !== "None" || endOfKeeperState(event.state) !== undefined) wake();
    };
    const onAbort = () => wake(signal?.reason);
    const onGiveUp = () => wake();
    const clock = this.#zk.clock;
    const timer = timeout === Infinity ? undefined : clock.setTimeout(onGiveUp, timeout);
    signal?.addEventListener("abort", onAbort);
    giveUp.addEventListener("abort", onGiveUp);
    try {
      const wait = await this.#retry(() => arm(watcher), signal);
      signal?.throwIfAborted();
      if (wait && !giveUp.aborted) await woken;
    } finally {
      clock.clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      giveUp.removeEventListener("abort", onGiveUp);
      if (!fired) this.#unwatch(path, watcher, type);
    }
  }

  // Sent before whatever comes next (the session keeps order), not awaited:
  // it would wait for a reconnect when disconnected.
  #unwatch(path: string, watcher: Watcher, type: "data" | "children"): void {
    // Failing on the server (offline, or the watch fired meanwhile), the
    // watch is removed locally; that fails only for a watch already gone.
    this.#zk.removeWatches(path, watcher, type).catch(() =>
      this.#zk.removeWatches(path, watcher, type, { local: true }).catch(() => {})
    );
  }

  /** Marks the lock held and watches for its loss. */
  #hold(): void {
    const holding = watchHolding(this.#zk, this.#child(this.#node!), {
      unwatch: (path, watcher) => this.#unwatch(path, watcher, "data"),
      stopped: () => {
        if (this.#holding === holding) this.#holding = undefined;
      },
      lost: (code, why, cause) => {
        this.#node = undefined;
        const path = this.path;
        this.#options.onLost?.(
          new ZooKeeperError(code, `Lost the lock "${path}": ${why}`, { path, cause }),
        );
      },
    });
    this.#holding = holding;
  }

  // A node already gone, or going with its session, needs no deleting.
  async #deleteNode(): Promise<void> {
    if (this.#node === undefined && this.#unsure) {
      this.#node = await this.#findMine().catch(gone);
    }
    this.#unsure = false;
    const node = this.#node;
    if (node !== undefined) await this.#retry(() => this.#zk.delete(this.#child(node))).catch(gone);
    this.#node = undefined;
  }
}
