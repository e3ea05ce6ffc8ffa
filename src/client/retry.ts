/**
 * Retrying idempotent work through connection loss, with exponential backoff
 * and jitter, as Curator's `RetryPolicy` and kazoo's `KazooRetry` do.
 *
 * @module
 */

import { ZooKeeperError } from "../protocol/errors.ts";
import type { Clock } from "../session/clock.ts";
import { clockOption } from "../util/clock.ts";
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
   * @default {{@linkcode isTransient}: a lost connection or `THROTTLEDOP`}
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

/**
 * Whether a request was cut off by its connection going away while the
 * session may go on: its reply never came, so it may or may not have been
 * applied. The one rule every layer uses to tell a lost connection.
 *
 * @param error Any error.
 * @returns `true` for `CONNECTIONLOSS`, `OPERATIONTIMEOUT` and `SESSIONMOVED`.
 */
export function isConnectionLoss(error: unknown): boolean {
  return ZooKeeperError.is(error, "CONNECTIONLOSS", "OPERATIONTIMEOUT", "SESSIONMOVED");
}

/**
 * Whether a request was cut off by its connection or its session going away
 * (a lost connection, an expiry, a close): work kept across sessions does it
 * again on the next one.
 *
 * @param error Any error.
 * @returns `true` for a lost connection, `SESSIONEXPIRED` and `CLOSED`.
 */
export function isInterrupted(error: unknown): boolean {
  return isConnectionLoss(error) || ZooKeeperError.is(error, "SESSIONEXPIRED", "CLOSED");
}

/**
 * Whether an error is a passing condition of the connection that another
 * attempt may not meet.
 *
 * @param error Any error.
 * @returns `true` for a lost connection ({@linkcode isConnectionLoss}) and
 *   `THROTTLEDOP`.
 */
export function isTransient(error: unknown): boolean {
  return isConnectionLoss(error) || ZooKeeperError.is(error, "THROTTLEDOP");
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
 *   for an error `retryOn` rejects; a `TypeError` when `clock` is not a clock.
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
  const clock = clockOption(options.clock);
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
