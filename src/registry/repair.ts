/**
 * One registration kept in place. The node is read with a watch after every
 * step, so that whatever happens to it (a foreign delete, a foreign write, the
 * holder of a conflicting node going away) runs the same reconcile pass
 * again: read what is there, compare it with what is wanted, do one thing.
 * ndServiceRegistry's `EphemeralNode` does the same with its `Watcher`.
 *
 * @module
 */

import { isInterrupted } from "../client/retry.ts";
import { ensurePath } from "../client/recipes.ts";
import { parentPath } from "../protocol/path.ts";
import type { ZooKeeper } from "../client/zookeeper.ts";
import type { Watcher } from "../client/watch_registry.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import type { ACL, Stat } from "../protocol/records_data.ts";
import type { Clock } from "../util/clock.ts";
import { sleep } from "../util/sleep.ts";
import type { Gate } from "./snapshot.ts";
import type { RegistrationStateName, RegistrationStatus } from "./registration_status.ts";

export type { RegistrationStateName, RegistrationStatus } from "./registration_status.ts";

/** What a keeper needs from the registry. */
export interface KeeperContext {
  /** The current client, if any. */
  client(): ZooKeeper | undefined;
  /** Awaited before each request (the rate limiter). */
  gate: Gate;
  /** Times the waits before rewriting after a foreign write. */
  clock: Clock;
  /** The ACL of created nodes. */
  acl(): Promise<ACL[]>;
  /** Every session this registry has had: their nodes are its own to replace. */
  sessions: ReadonlySet<bigint>;
  /** Receives conflicts and errors of background passes. */
  onError(error: unknown): void;
  /** Told of each change of status. */
  onStatus(status: RegistrationStatus): void;
}

/**
 * How repair after foreign writes backs off: the first rewrite waits
 * `DEBOUNCE` ms, each next one twice as long; after `ROUNDS` lost rounds
 * within `QUIET` ms of each other the keeper gives up.
 */
const DEBOUNCE = 200;
const ROUNDS = 3;
const QUIET = 60_000;
/** Reconcile steps per pass; the armed watch starts a new pass if more are needed. */
const STEPS = 8;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Keeps one registered node in place. */
export class NodeKeeper {
  /** The node's path. */
  readonly path: string;
  readonly #ctx: KeeperContext;
  #bytes: Uint8Array;
  #ephemeral: boolean;
  #enabled: boolean;
  #checked = false;
  #healthy: boolean | undefined;
  #draining = false;
  #removing = false;
  #closed = false;
  #written: Uint8Array | undefined;
  #state: RegistrationStateName = "pending";
  #owner: bigint | undefined;
  #rounds = 0;
  #lastForeign = 0;
  #dirty = false;
  #running: Promise<void> | undefined;
  readonly #abort = new AbortController();
  readonly #watcher: Watcher = (event) => {
    if (event.type !== "None" && !this.#closed) this.kickInBackground();
  };

  /**
   * @param path The node's path.
   * @param ctx What the keeper needs from the registry.
   */
  constructor(path: string, ctx: KeeperContext) {
    this.path = path;
    this.#ctx = ctx;
    this.#bytes = new Uint8Array();
    this.#ephemeral = true;
    this.#enabled = true;
  }

  /** The current status. */
  get status(): RegistrationStatus {
    return {
      path: this.path,
      state: this.#state,
      ephemeral: this.#ephemeral,
      healthy: this.#healthy,
      ...(this.#state === "held" ? { owner: this.#owner } : {}),
    };
  }

  /** Whether the node's missing parents are made as containers. */
  containerParents = false;

  /** Whether the node is ephemeral. */
  get ephemeral(): boolean {
    return this.#ephemeral;
  }

  /**
   * Sets what is wanted (a `setNode` call): a conflict is forgotten, and the
   * node is put in place.
   *
   * @param bytes The node's data.
   * @param ephemeral Whether it is ephemeral.
   * @param enabled The registration's `state`.
   * @param checked Whether a health check decides too: until its first
   *   verdict the node is neither created nor removed.
   * @returns The end of the pass that puts it in place.
   */
  want(bytes: Uint8Array, ephemeral: boolean, enabled: boolean, checked: boolean): Promise<void> {
    this.#bytes = bytes;
    this.#ephemeral = ephemeral;
    this.#enabled = enabled;
    this.#checked = checked;
    this.#removing = false;
    if (!checked) this.#healthy = undefined;
    this.#rounds = 0;
    if (this.#state === "conflict") this.#setState("pending");
    return this.kick();
  }

  /**
   * Records the health check's verdict and acts on it.
   *
   * @param healthy The verdict.
   * @returns The end of the pass.
   */
  setHealthy(healthy: boolean): Promise<void> {
    const changed = this.#healthy !== healthy;
    this.#healthy = healthy;
    if (changed) this.#ctx.onStatus(this.status);
    return this.kick();
  }

  /** Whether {@linkcode NodeKeeper.remove} was called, and nothing wanted since. */
  get removing(): boolean {
    return this.#removing;
  }

  /**
   * Removes the node for good (`unset`): it is deleted now when there is a
   * session, else on the next one (Curator's guaranteed delete).
   *
   * @returns Whether it is gone now.
   */
  async remove(): Promise<boolean> {
    this.#removing = true;
    this.#checked = false;
    if (this.#state === "conflict") this.#setState("pending");
    await this.kick();
    // Unhealthy, the node was deleted already.
    return this.#state === "removed" || this.#state === "unhealthy";
  }

  /**
   * Removes an ephemeral node for good while the registry drains; a
   * persistent one stays.
   *
   * @returns The end of the pass.
   */
  drain(): Promise<void> {
    this.#draining = true;
    return this.kick();
  }

  /**
   * Stops keeping the node; with `remove`, deletes it when it is this
   * registry's.
   *
   * @param remove Whether to delete the node.
   */
  async close(remove: boolean): Promise<void> {
    this.#closed = true;
    this.#abort.abort();
    // A pass in flight reports its errors to whoever started it.
    await this.#running?.catch(() => {});
    const zk = this.#ctx.client();
    if (remove && zk?.connected) {
      await this.#ctx.gate();
      const stat = await zk.exists(this.path);
      if (stat !== null && this.#isOurs(zk, stat)) await this.#delete(zk, stat.version);
    }
    zk?.removeWatches(this.path, this.#watcher, "data", { local: true }).catch((error) => {
      if (!ZooKeeperError.is(error, "NOWATCHER", "CLOSED")) this.#ctx.onError(error);
    });
  }

  /** The session went: the node waits for the next one. */
  detached(): void {
    if (this.#state === "registered" || this.#state === "held") this.#setState("pending");
  }

  /**
   * Runs a reconcile pass (again, if one is running). Errors of a lost
   * connection are left to the next session's pass.
   *
   * @returns The end of the pass.
   */
  kick(): Promise<void> {
    this.#dirty = true;
    this.#running ??= this.#drive().finally(() => this.#running = undefined);
    return this.#running;
  }

  /** Runs a pass no caller awaits: its errors reach `onError`. */
  kickInBackground(): void {
    this.kick().catch(this.#ctx.onError);
  }

  async #drive(): Promise<void> {
    let failure: unknown;
    while (this.#dirty) {
      this.#dirty = false;
      failure = undefined;
      try {
        await this.#reconcile();
      } catch (error) {
        failure = error;
      }
    }
    if (failure !== undefined && !isInterrupted(failure)) throw failure;
  }

  #wanted(): boolean {
    return this.#enabled && this.#healthy !== false && !this.#removing &&
      !(this.#draining && this.#ephemeral);
  }

  /** A checked registration before its first verdict: left as it is. */
  #undecided(): boolean {
    return this.#checked && this.#healthy === undefined;
  }

  #isOurs(zk: ZooKeeper, stat: Stat): boolean {
    return this.#ephemeral ? stat.ephemeralOwner === zk.sessionId : stat.ephemeralOwner === 0n;
  }

  async #reconcile(): Promise<void> {
    const zk = this.#ctx.client();
    if (this.#closed || this.#state === "conflict") return;
    if (zk === undefined || !zk.connected) {
      if (this.#state !== "removed" && this.#state !== "unhealthy") this.#setState("pending");
      return;
    }
    if (this.#undecided()) return;
    for (let step = 0; step < STEPS && !this.#closed; step++) {
      const node = await this.#read(zk);
      if (!this.#wanted()) {
        if (node !== undefined && this.#isOurs(zk, node.stat)) {
          await this.#delete(zk, node.stat.version);
          continue;
        }
        const unhealthy = this.#enabled && this.#healthy === false && !this.#removing;
        this.#setState(unhealthy ? "unhealthy" : "removed");
        return;
      }
      if (node === undefined) {
        await this.#create(zk);
        continue;
      }
      const owner = node.stat.ephemeralOwner;
      if (owner !== 0n && owner !== zk.sessionId && !this.#ctx.sessions.has(owner)) {
        // Another live session's node: taking it would make two processes
        // take it from each other on every reconnect. The watch set by the
        // read fires when that session's node goes.
        this.#held(owner);
        return;
      }
      if (!this.#isOurs(zk, node.stat)) {
        // Left by an earlier session of this registry, or persistent where an
        // ephemeral node is wanted: replaced, so watchers see it change hands.
        await this.#delete(zk, node.stat.version);
        continue;
      }
      if (sameBytes(node.data, this.#bytes)) {
        this.#written = this.#bytes;
        this.#setState("registered");
        return;
      }
      if (this.#written === this.#bytes && !(await this.#foreignRound())) return;
      await this.#ctx.gate();
      await zk.setData(this.path, this.#bytes, { version: node.stat.version }).catch((error) => {
        if (!ZooKeeperError.is(error, "BADVERSION", "NONODE")) throw error;
      });
      this.#written = this.#bytes;
    }
  }

  /** Someone else changed the data: wait, or give up after a few rounds. */
  async #foreignRound(): Promise<boolean> {
    const now = this.#ctx.clock.now();
    if (now - this.#lastForeign > QUIET) this.#rounds = 0;
    this.#lastForeign = now;
    if (++this.#rounds > ROUNDS) {
      this.#setState("conflict");
      this.#ctx.onError(
        new ZooKeeperError(
          "BADVERSION",
          `Cannot keep "${this.path}": its data was changed by someone else ${ROUNDS + 1} times ` +
            `in a row; it is left as it is until it is registered again`,
          { path: this.path },
        ),
      );
      return false;
    }
    try {
      await sleep(this.#ctx.clock, DEBOUNCE * 2 ** (this.#rounds - 1), this.#abort.signal);
    } catch {
      // Aborted: the registration was closed.
      return false;
    }
    return !this.#closed;
  }

  #held(owner: bigint): void {
    const reported = this.#state === "held" && this.#owner === owner;
    this.#owner = owner;
    this.#setState("held");
    if (reported) return;
    this.#ctx.onError(
      new ZooKeeperError(
        "NODEEXISTS",
        `Cannot register "${this.path}": held by another live session (0x${
          owner.toString(16)
        }); it is registered when that session's node goes`,
        { path: this.path },
      ),
    );
  }

  /** Reads the node and leaves a watch on it, whether it exists or not. */
  async #read(zk: ZooKeeper): Promise<{ data: Uint8Array; stat: Stat } | undefined> {
    for (;;) {
      await this.#ctx.gate();
      try {
        return await zk.getData(this.path, { watch: this.#watcher });
      } catch (error) {
        if (!ZooKeeperError.is(error, "NONODE")) throw error;
      }
      await this.#ctx.gate();
      if ((await zk.exists(this.path, { watch: this.#watcher })) === null) return undefined;
    }
  }

  async #create(zk: ZooKeeper): Promise<void> {
    const acl = await this.#ctx.acl();
    const mode = this.#ephemeral ? "ephemeral" : "persistent";
    // The server may delete an empty container parent between its check and
    // the create below it: it is made again, a few times.
    const attempts = this.containerParents ? 4 : 2;
    const retryOn = (error: unknown, attempt: number) => {
      if (!ZooKeeperError.is(error, "NONODE") || attempt + 1 >= attempts) throw error;
    };
    for (let attempt = 0;; attempt++) {
      await this.#ctx.gate();
      try {
        await zk.create(this.path, this.#bytes, { mode, acl });
        this.#written = this.#bytes;
        return;
      } catch (error) {
        if (ZooKeeperError.is(error, "NODEEXISTS")) return;
        retryOn(error, attempt);
      }
      await ensurePath(zk, parentPath(this.path), {
        before: this.#ctx.gate,
        container: this.containerParents,
      }).catch((error) => retryOn(error, attempt));
    }
  }

  async #delete(zk: ZooKeeper, version: number): Promise<void> {
    await this.#ctx.gate();
    await zk.delete(this.path, { version }).catch((error) => {
      if (!ZooKeeperError.is(error, "NONODE", "BADVERSION")) throw error;
    });
  }

  #setState(state: RegistrationStateName): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#ctx.onStatus(this.status);
  }
}
