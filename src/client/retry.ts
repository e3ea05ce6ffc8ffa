/**
 * Retrying idempotent work through connection loss, with exponential backoff
 * and jitter, as Curator's `RetryPolicy` and kazoo's `KazooRetry` do.
 *
 * @module
 */

import { ZooKeeperError, type ZooKeeperErrorCode } from "../protocol/errors.ts";
import { type Clock, systemClock } from "../session/clock.ts";
import { sleep } from "../util/sleep.ts";

/** Options of {@linkcode retry}. */
export interface RetryOptions {
  /**
   * Most attempts in all, the first included.
   *
   * @default {10}
   */
  attempts?: number | undefined;
  /**
   * Wait before the second attempt, in milliseconds; it doubles each time.
   *
   * @default {100}
   */
  initialDelay?: number | undefined;
  /**
   * Longest wait between attempts, in milliseconds.
   *
   * @default {10000}
   */
  maxDelay?: number | undefined;
  /**
   * Give up once this many milliseconds have passed since the first attempt.
   *
   * @default {Infinity}
   */
  deadline?: number | undefined;
  /**
   * Which errors are worth another attempt.
   *
   * @default {`ZooKeeperError` with code `CONNECTIONLOSS`, `OPERATIONTIMEOUT` or `SESSIONMOVED`}
   */
  retryOn?: ((error: unknown) => boolean) | undefined;
  /** Stops waiting and rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /**
   * Times the waits and the deadline: pass the client's (`zk.clock`) so a
   * fake clock in tests drives them too.
   *
   * @default {systemClock}
   */
  clock?: Clock | undefined;
}

const TRANSIENT = new Set<ZooKeeperErrorCode>([
  "CONNECTIONLOSS",
  "OPERATIONTIMEOUT",
  "SESSIONMOVED",
  "THROTTLEDOP",
]);

/**
 * Whether an error is a passing condition of the connection that another
 * attempt may not meet.
 *
 * @param error Any error.
 * @returns `true` for `CONNECTIONLOSS`, `OPERATIONTIMEOUT`, `SESSIONMOVED` and `THROTTLEDOP`.
 */
export function isTransient(error: unknown): boolean {
  return ZooKeeperError.is(error) && TRANSIENT.has(error.code);
}

/**
 * Runs `work` until it succeeds, retrying transient failures with
 * exponential backoff and full jitter. Use it only for idempotent work: a
 * create that lost its connection may have been applied, and a sequential
 * create retried makes a second node.
 *
 * @param work The work; it gets the attempt number, from 1.
 * @param options Limits and which errors to retry.
 * @returns What `work` returned.
 * @throws The last error when attempts or the deadline run out, or at once
 *   for an error `retryOn` rejects.
 *
 * @example Reading through a reconnect
 * ```ts ignore
 * const { data } = await retry(() => zk.getData("/config"), { deadline: 30_000 });
 * ```
 */
export async function retry<T>(
  work: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 10;
  const initial = options.initialDelay ?? 100;
  const max = options.maxDelay ?? 10_000;
  const deadline = options.deadline ?? Infinity;
  const retryOn = options.retryOn ?? isTransient;
  const signal = options.signal;
  const clock = options.clock ?? systemClock;
  const start = clock.now();
  for (let attempt = 1;; attempt++) {
    signal?.throwIfAborted();
    try {
      return await work(attempt);
    } catch (error) {
      const elapsed = clock.now() - start;
      if (attempt >= attempts || !retryOn(error) || elapsed >= deadline) throw error;
      const ceiling = Math.min(max, initial * 2 ** (attempt - 1));
      const wait = Math.min(Math.random() * ceiling, deadline - elapsed);
      await sleep(clock, wait, signal);
    }
  }
}
