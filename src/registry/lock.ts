/**
 * A distributed lock, or with `simultaneous > 1` a semaphore, by ZooKeeper's
 * own recipe: every contender creates an ephemeral sequential node under the
 * lock's path; the first `simultaneous` in sequence order hold it; each other
 * contender watches only the node `simultaneous` places ahead of its own, so a
 * release wakes one waiter, never the herd.
 *
 * @see https://zookeeper.apache.org/doc/current/recipes.html#sc_recipes_Locks
 * @module
 */

import type { ZooKeeper } from "../client/zookeeper.ts";
import { ZooKeeperError } from "../errors.ts";
import { processId } from "./node_data.ts";

/** Options of a {@linkcode Lock}. */
export interface LockOptions {
  /** Who holds it, stored as the node's data. @default {"<runtime>:<pid>"} */
  name?: string;
  /** How many may hold it at once; more than one makes a semaphore. @default {1} */
  simultaneous?: number;
  /** How long `acquire` waits, in ms: 0 tries once; undefined waits until it gets it. */
  wait?: number;
  /** Aborts waiting. */
  signal?: AbortSignal;
  /** Called once when a held lock is lost: the session ended or the node was deleted. */
  onLost?: (reason: Error) => void;
}

const PREFIX = "lock-";

function sequence(name: string): number {
  return Number(name.slice(name.lastIndexOf("-") + 1));
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof ZooKeeperError && error.code === code;
}

/**
 * A lock under a path.
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
  readonly #id = crypto.randomUUID();
  #node: string | undefined;
  #held = false;
  #lost = false;
  #unsubscribe: (() => void) | undefined;

  /**
   * Prepares a contender for the lock; nothing is sent before `acquire()`.
   *
   * @param zk The client whose session holds the lock.
   * @param path The lock's node; it is created if missing.
   * @param options Name, number of holders, wait and abort.
   */
  constructor(zk: ZooKeeper, path: string, options: LockOptions = {}) {
    this.#zk = zk;
    this.path = path;
    this.#options = options;
  }

  /** Whether this contender holds the lock now. */
  get held(): boolean {
    return this.#held;
  }

  /**
   * Waits for the lock.
   *
   * @returns `true` once held; `false` when `wait` ran out (nothing is left behind).
   * @throws The signal's reason when aborted, and the client's errors.
   */
  async acquire(): Promise<boolean> {
    if (this.#held) return true;
    const { wait, signal } = this.#options;
    signal?.throwIfAborted();
    const deadline = wait === undefined ? Infinity : Date.now() + wait;
    try {
      await this.#ensurePath();
      this.#node ??= await this.#createNode();
      for (;;) {
        const ahead = await this.#ahead();
        if (ahead === undefined) {
          this.#hold();
          return true;
        }
        const left = deadline - Date.now();
        if (left <= 0) {
          await this.#deleteNode();
          return false;
        }
        await this.#waitGone(`${this.path}/${ahead}`, left);
      }
    } catch (error) {
      await this.#deleteNode().catch(() => {});
      throw error;
    }
  }

  /** Releases the lock (or gives up waiting); nothing happens when not held. */
  async release(): Promise<void> {
    this.#held = false;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    await this.#deleteNode();
  }

  /** The names of the current holders and waiters, in order. */
  async holders(): Promise<string[]> {
    const children = await this.#contenders();
    const names = await Promise.all(children.map(async (c) => {
      try {
        return new TextDecoder().decode((await this.#zk.getData(`${this.path}/${c}`)).data);
      } catch (error) {
        if (isCode(error, "NONODE")) return undefined;
        throw error;
      }
    }));
    return names.filter((n): n is string => n !== undefined)
      .slice(0, this.#options.simultaneous ?? 1);
  }

  /** Releases the lock, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }

  async #ensurePath(): Promise<void> {
    const parts = this.path.split("/").slice(1);
    for (let i = 1; i <= parts.length; i++) {
      await this.#zk.create("/" + parts.slice(0, i).join("/")).catch((error) => {
        if (!isCode(error, "NODEEXISTS")) throw error;
      });
    }
  }

  // The id in the name lets a contender find its node after a connection loss
  // during the create, instead of making a second one (Curator's protected mode).
  async #createNode(): Promise<string> {
    const name = this.#options.name ??
      `${"Deno" in globalThis ? "deno" : "node"}:${processId() ?? "?"}`;
    try {
      const created = await this.#zk.create(`${this.path}/_c_${this.#id}-${PREFIX}`, name, {
        mode: "ephemeralSequential",
      });
      return created.slice(this.path.length + 1);
    } catch (error) {
      if (!isCode(error, "CONNECTIONLOSS")) throw error;
      const mine = (await this.#zk.getChildren(this.path)).find((c) => c.includes(this.#id));
      if (mine === undefined) return await this.#createNode();
      return mine;
    }
  }

  async #contenders(): Promise<string[]> {
    const children = await this.#zk.getChildren(this.path);
    return children.filter((c) => c.includes(PREFIX)).sort((a, b) => sequence(a) - sequence(b));
  }

  /** The node to wait for, or `undefined` when ours is among the holders. */
  async #ahead(): Promise<string | undefined> {
    const children = await this.#contenders();
    const index = children.indexOf(this.#node!);
    if (index === -1) {
      throw new ZooKeeperError("NONODE", `Cannot lock "${this.path}": our node was deleted`, {
        path: this.path,
      });
    }
    const simultaneous = this.#options.simultaneous ?? 1;
    return index < simultaneous ? undefined : children[index - simultaneous];
  }

  #waitGone(path: string, timeout: number): Promise<void> {
    const signal = this.#options.signal;
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (error?: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = () => finish(signal?.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (timeout !== Infinity) timer = setTimeout(() => finish(), timeout);
      this.#zk.exists(path, { watch: () => finish() }).then((stat) => {
        if (stat === null) finish();
      }, finish);
    });
  }

  #hold(): void {
    this.#held = true;
    this.#lost = false;
    const lose = (reason: Error) => {
      if (!this.#held || this.#lost) return;
      this.#lost = true;
      this.#held = false;
      this.#unsubscribe?.();
      this.#unsubscribe = undefined;
      this.#options.onLost?.(reason);
    };
    this.#unsubscribe = this.#zk.onStateChange((state) => {
      if (state.type === "expired" || state.type === "closed" || state.type === "authFailed") {
        lose(
          new ZooKeeperError(
            "SESSIONEXPIRED",
            `Lost the lock "${this.path}": session ${state.type}`,
          ),
        );
      }
    });
    const node = `${this.path}/${this.#node}`;
    this.#zk.exists(node, {
      watch: (event) => {
        if (event.type === "NodeDeleted") {
          lose(new ZooKeeperError("NONODE", `Lost the lock "${this.path}": its node was deleted`));
        }
      },
    }).catch(() => {});
  }

  async #deleteNode(): Promise<void> {
    const node = this.#node;
    this.#node = undefined;
    if (node === undefined) return;
    await this.#zk.delete(`${this.path}/${node}`).catch((error) => {
      if (!isCode(error, "NONODE") && !isCode(error, "CLOSED")) throw error;
    });
  }
}
