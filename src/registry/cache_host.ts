/**
 * What the reads of a `PathCache` need from it, and how it hears of changes.
 *
 * @module
 */

import type { Watcher } from "../client/watch_registry.ts";
import type { ZooKeeper } from "../client/zookeeper.ts";
import type { Clock } from "../util/clock.ts";
import type { Gate } from "./snapshot.ts";

/** How a cache hears of changes. */
export type CacheMode = "persistent" | "oneShot";

/** What the reads need from their cache. */
export interface CacheReaderHost {
  /** The path followed. */
  readonly path: string;
  /** Whether children's data is kept (else names only). */
  readonly childData: boolean;
  /** The cache's one watcher, which every watch the reads set calls. */
  readonly watcher: Watcher;
  /** Awaited before each request (the rate limiter). */
  readonly gate: Gate;
  /** Times the retries of failed reads. */
  readonly clock: Clock;
  /** Receives unexpected errors of reads. */
  onError(error: unknown): void;
  /** Called when the server answers `addWatch` with `UNIMPLEMENTED`. */
  noPersistentWatches(zk: ZooKeeper): void;
  /** Whether the cache has published a snapshot. */
  published(): boolean;
  /** Called each time a reply has been handled. */
  replied(): void;
  /**
   * A request whose reply follows every event heard so far (shared with the
   * other caches of the registry).
   */
  barrier(zk: ZooKeeper): Promise<unknown>;
}
