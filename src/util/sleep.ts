/**
 * Waiting, abortably.
 *
 * @module
 */

/**
 * Resolves after `ms` milliseconds, or rejects with the signal's reason when
 * `signal` aborts first.
 *
 * @param ms How long to wait.
 * @param signal Ends the wait early.
 * @returns A promise of the end of the wait.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
