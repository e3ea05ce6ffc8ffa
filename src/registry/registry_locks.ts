/**
 * The registry's locks: each made on the current session with the
 * registry's error handler as the default listener of its loss, and those
 * taken with `acquireLock` kept by path, for `releaseLock` and for the
 * registry's close.
 *
 * @module
 */

import type { ZooKeeper } from "../client/zookeeper.ts";
import { Lock, type LockOptions } from "./lock.ts";

/** The locks of one registry. */
export class RegistryLocks {
  readonly #onError: (error: unknown) => void;
  readonly #held = new Map<string, Lock>();

  /** @param onError The registry's error handler. */
  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  /**
   * A lock, not yet acquired.
   *
   * @param zk The client of the current session.
   * @param path The lock's node.
   * @param options The lock's options.
   * @returns The lock.
   */
  make(zk: ZooKeeper, path: string, options: LockOptions): Lock {
    // A held lock's loss is news to someone: onError when nobody else listens.
    return new Lock(zk, path, { ...options, onLost: options.onLost ?? this.#onError });
  }

  /**
   * Acquires a lock and keeps it by path.
   *
   * @param path The lock's node.
   * @param lock The lock made for it.
   * @returns The held lock, or `undefined` when its wait ran out.
   */
  async acquire(path: string, lock: Lock): Promise<Lock | undefined> {
    if (await lock.acquire()) {
      this.#held.set(path, lock);
      return lock;
    }
    return undefined;
  }

  /**
   * Releases the lock kept for a path, if any.
   *
   * @param path The lock's node.
   * @throws The client's errors when its node could not be deleted; the
   *   lock stays kept, and calling again retries.
   */
  async release(path: string): Promise<void> {
    const lock = this.#held.get(path);
    if (lock === undefined) return;
    // Kept until its node is deleted: calling again, or closing, retries.
    await lock.release();
    if (this.#held.get(path) === lock) this.#held.delete(path);
  }

  /** Releases every lock kept, reporting each failure to the error handler. */
  async releaseAll(): Promise<void> {
    for (const lock of this.#held.values()) await lock.release().catch(this.#onError);
  }
}
