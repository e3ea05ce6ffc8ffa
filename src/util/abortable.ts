/**
 * Waiting on a promise that takes no `signal` of its own, such as a step of a
 * connect or a command of the command line.
 *
 * @module
 */

/**
 * The error an aborted wait rejects with: the signal's reason when it is an
 * `Error`, else a plain `Error("Aborted")`.
 *
 * @param signal The aborted signal.
 * @returns The error.
 */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("Aborted");
}

/**
 * Settles as `promise` does, unless `signal` aborts first: then calls
 * `onAbort` (which undoes the step, such as closing what it works on) and
 * rejects with what `onAbort` returns. A rejection of `promise` after that is
 * not reported.
 *
 * @param promise The step.
 * @param signal Aborts the wait.
 * @param onAbort Undoes the step; returns the rejection reason.
 * @returns What the step gives.
 */
export function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  onAbort: (signal: AbortSignal) => unknown = abortReason,
): Promise<T> {
  if (signal === undefined) return promise;
  promise.catch(() => {});
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort(signal));
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}
