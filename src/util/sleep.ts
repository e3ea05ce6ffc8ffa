/**
 * Waiting, abortably, on a clock.
 *
 * @module
 */

import type { Clock } from "./clock.ts";

/**
 * Resolves after `ms` milliseconds of `clock`, or rejects with the signal's
 * reason when `signal` aborts first.
 *
 * @param clock The clock to wait on.
 * @param ms How long to wait.
 * @param signal Ends the wait early.
 * @returns A promise of the end of the wait.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
