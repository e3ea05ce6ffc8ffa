/**
 * The paths the gateway keeps current for its lookups, bounded: the least
 * recently read goes when a new one needs room, one not read for a while is
 * let go, and a missing node is not followed at all, so no sequence of
 * requests can fill the bound and shut new services out. Letting a path go
 * removes the gateway's listener: the registry then gives its watches back
 * to the server unless an event stream or a blocking query still follows it.
 *
 * @module
 */

import type { Registry } from "../registry/registry.ts";
import type { NodeSnapshot } from "../registry/snapshot.ts";
import type { Clock, TimerHandle } from "../util/clock.ts";
import { HttpError } from "./respond.ts";

/** Bounds of {@linkcode FollowedPaths}. */
export interface FollowedPathsOptions {
  /** The most paths followed at once. */
  max: number;
  /** Milliseconds without a lookup after which a path is let go. */
  idle: number;
  /** Milliseconds a first read may take before the lookup answers 503. */
  readTimeout: number;
  /** The clock of the idle and read timers. */
  clock: Clock;
}

interface Entry {
  off: () => void;
  /** The last snapshot the registry published, read while connected. */
  snapshot: NodeSnapshot | undefined;
  used: number;
}

/** The paths one gateway follows for its lookups. */
export class FollowedPaths {
  readonly #registry: Registry;
  readonly #options: FollowedPathsOptions;
  // In order of last use, the least recent first.
  readonly #entries = new Map<string, Entry>();
  #sweep: TimerHandle | undefined;
  #closed = false;

  /**
   * @param registry The registry that follows them.
   * @param options Bounds and clock.
   */
  constructor(registry: Registry, options: FollowedPathsOptions) {
    this.#registry = registry;
    this.#options = options;
  }

  /** @returns How many paths are followed. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The current snapshot of a path, which is followed from then on (within
   * the bound); a missing node is let go at once.
   *
   * @param path A valid path.
   * @returns Its snapshot.
   * @throws {HttpError} 503 when the first read takes longer than the read timeout.
   */
  async get(path: string): Promise<NodeSnapshot> {
    const now = this.#options.clock.now();
    let entry = this.#entries.get(path);
    if (entry !== undefined) {
      // Reordered at most once a second: a hot path costs no Map churn per lookup.
      if (now - entry.used > 1000) {
        this.#entries.delete(path);
        this.#entries.set(path, entry);
        entry.used = now;
      }
      if (entry.snapshot !== undefined && this.#registry.client?.connected) return entry.snapshot;
    } else {
      while (this.#entries.size >= this.#options.max) {
        this.#release(this.#entries.keys().next().value!);
      }
      const created: Entry = { off: () => {}, snapshot: undefined, used: now };
      created.off = this.#registry.onChange(path, (s) => created.snapshot = s);
      this.#entries.set(path, created);
      entry = created;
      this.#schedule();
    }
    let snapshot: NodeSnapshot;
    try {
      snapshot = await this.#read(path);
    } catch (error) {
      if (this.#entries.get(path) === entry) this.#release(path);
      throw error;
    }
    if (!snapshot.stale && entry.snapshot === undefined) entry.snapshot = snapshot;
    // Nothing to follow: the watch on a missing node would be held for nobody.
    if (snapshot.stat === null && !snapshot.stale && this.#entries.get(path) === entry) {
      this.#release(path);
    }
    return snapshot;
  }

  /** Lets every path go. */
  close(): void {
    this.#closed = true;
    if (this.#sweep !== undefined) this.#options.clock.clearTimeout(this.#sweep);
    for (const path of [...this.#entries.keys()]) this.#release(path);
  }

  // One read of the registry's current result, without pinning the path (the
  // entry's listener holds it), bounded by the read timeout.
  async #read(path: string): Promise<NodeSnapshot> {
    const results = this.#registry.watch(path);
    try {
      const first = await within(results.next(), this.#options.readTimeout, this.#options.clock);
      if (first.done) throw new HttpError(503, "The registry is closing");
      return first.value;
    } finally {
      results.return?.().catch(() => {});
    }
  }

  #release(path: string): void {
    const entry = this.#entries.get(path);
    if (entry === undefined) return;
    this.#entries.delete(path);
    entry.off();
  }

  // One timer for all entries: it fires when the least recent could go.
  #schedule(): void {
    if (this.#sweep !== undefined || this.#closed) return;
    const oldest = this.#entries.values().next().value;
    if (oldest === undefined) return;
    const { clock, idle } = this.#options;
    this.#sweep = clock.setTimeout(() => {
      this.#sweep = undefined;
      const cutoff = clock.now() - idle;
      for (const [path, entry] of this.#entries) {
        if (entry.used > cutoff) break;
        this.#release(path);
      }
      this.#schedule();
    }, Math.max(0, oldest.used + idle - clock.now()));
  }
}

/**
 * Waits for a read of ZooKeeper, no longer than `ms`: while the server is
 * away a read waits for the session to come back or expire, and a client
 * deserves an answer sooner.
 *
 * @param read The read.
 * @param ms The most to wait, in milliseconds.
 * @param clock The clock of the timer.
 * @returns What the read returns.
 * @throws {HttpError} 503 when it takes longer.
 */
export async function within<T>(read: Promise<T>, ms: number, clock: Clock): Promise<T> {
  let timer: TimerHandle | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = clock.setTimeout(() => {
      reject(
        new HttpError(503, `ZooKeeper did not answer within ${ms / 1000}s`, {
          "retry-after": "5",
        }),
      );
    }, ms);
  });
  try {
    return await Promise.race([read, late]);
  } finally {
    clock.clearTimeout(timer);
  }
}
