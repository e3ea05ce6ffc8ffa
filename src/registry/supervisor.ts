/**
 * The registry's connection supervisor: one session at a time, made again in
 * the background after an expiry or a failed start, paused by `stop()`, and
 * the registry's state, which its parts follow through three hooks.
 *
 * @module
 */

import type { ZooKeeper } from "../client/zookeeper.ts";
import type { ConnectionState } from "../session/state.ts";
import { notifyAll } from "../util/notify.ts";
import { systemClock } from "../util/clock.ts";
import { sleep } from "../util/sleep.ts";

/** The registry's connection state: the client's, or `stopped` after `stop()`. */
export type RegistryState = ConnectionState | { type: "stopped" };

/** What the parts of the registry do as sessions come and go. */
export interface SessionHooks {
  /** A new session is up (the first, or one after an expiry or `start()`). */
  attached(zk: ZooKeeper): void;
  /** The same session is back after a disconnection. */
  reconnected(zk: ZooKeeper): void;
  /** The session is gone (expired, refused, stopped or closed). */
  detached(): void;
}

/** Connects one client at a time and follows its states. */
export class Supervisor {
  readonly #open: () => Promise<ZooKeeper>;
  readonly #hooks: SessionHooks;
  readonly #onError: (error: unknown) => void;
  readonly #listeners = new Set<(state: RegistryState) => void>();
  #zk: ZooKeeper | undefined;
  #state: RegistryState = { type: "connecting" };
  #running = false;
  #closed = false;
  #loop: Promise<void> | undefined;

  /**
   * @param open Opens a new session.
   * @param hooks Told of each session's coming and going.
   * @param onError Receives errors of listeners and of the background loop's attempts.
   */
  constructor(
    open: () => Promise<ZooKeeper>,
    hooks: SessionHooks,
    onError: (error: unknown) => void,
  ) {
    this.#open = open;
    this.#hooks = hooks;
    this.#onError = onError;
  }

  /** The current client, when a session is up. */
  get client(): ZooKeeper | undefined {
    return this.#zk;
  }

  /** Whether a session is up and connected now. */
  get connected(): boolean {
    return this.#zk?.connected ?? false;
  }

  /** The state. */
  get state(): RegistryState {
    return this.#state;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Adds a listener of state changes.
   *
   * @param listener Receives each new state.
   * @returns A function that removes it.
   */
  onStateChange(listener: (state: RegistryState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Connects once, waiting for it.
   *
   * @throws {ZooKeeperError} When the session cannot be made.
   */
  async start(): Promise<void> {
    if (this.#closed) return;
    this.#running = true;
    if (this.#zk !== undefined) return;
    await this.#connect();
  }

  /** Keeps connecting in the background, with backoff, until a session is up. */
  startInBackground(): void {
    if (this.#closed) return;
    this.#running = true;
    if (this.#loop !== undefined || this.#zk !== undefined) return;
    const loop = async () => {
      for (let delay = 250; this.#running && this.#zk === undefined;) {
        try {
          await this.#connect();
        } catch (error) {
          if (!this.#running) return;
          this.#onError(error);
          await sleep(systemClock, delay);
          delay = Math.min(delay * 2, 5000);
        }
      }
    };
    this.#loop = loop().finally(() => this.#loop = undefined);
  }

  /**
   * Closes the session and pauses until {@linkcode Supervisor.start}.
   *
   * @param final `true` when the registry is closing for good.
   */
  async stop(final = false): Promise<void> {
    if (final) this.#closed = true;
    this.#running = false;
    const zk = this.#zk;
    this.#zk = undefined;
    if (zk !== undefined) this.#hooks.detached();
    await zk?.close();
    this.#setState(final ? { type: "closed" } : { type: "stopped" });
  }

  async #connect(): Promise<void> {
    const zk = await this.#open();
    if (!this.#running || this.#zk !== undefined) {
      await zk.close();
      return;
    }
    this.#zk = zk;
    zk.onStateChange((state) => {
      if (this.#zk !== zk) return;
      this.#setState(state);
      if (state.type === "reconnected") this.#hooks.reconnected(zk);
      if (state.type === "expired" || state.type === "authFailed") {
        // A new session: everything is registered and watched again on it.
        this.#zk = undefined;
        this.#hooks.detached();
        if (this.#running) this.startInBackground();
      }
    });
    this.#setState(zk.state);
    this.#hooks.attached(zk);
  }

  #setState(state: RegistryState): void {
    this.#state = state;
    notifyAll(this.#listeners, state, this.#onError);
  }
}
