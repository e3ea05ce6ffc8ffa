/**
 * Waiting on a step of a connect that has no `signal` of its own.
 *
 * @module
 */

/**
 * Waits for `promise` unless `signal` aborts first; then calls `cancel` (which
 * closes what the step works on) and rejects with the signal's reason.
 *
 * @param promise The step.
 * @param signal Aborts the wait.
 * @param cancel Undoes the step.
 * @returns What the step gives.
 */
export function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  cancel: () => void,
): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      cancel();
      reject(signal.reason instanceof Error ? signal.reason : new Error("Aborted"));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
