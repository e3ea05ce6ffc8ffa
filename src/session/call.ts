/**
 * What a caller may ask of one call besides its arguments: give up at a
 * deadline or when a signal aborts, and see its own frames in the stack of
 * the error. A call that gives up is settled at once; its entry stays in the
 * queue it is in, marked settled, so that the replies still pair with the
 * requests in xid order: a late reply is read and dropped, a held request is
 * never sent.
 *
 * @module
 */

import { ZooKeeperError } from "../protocol/errors.ts";
import { clampDelay, type Clock, type TimerHandle } from "./clock.ts";
import { describeRequest } from "./request_encoder.ts";
import type { PendingRequest } from "./request_queue.ts";

/** Options every operation takes. */
export interface CallOptions {
  /**
   * Gives up the call: it rejects with the signal's reason. A request already
   * sent is still applied by the server if it arrives; only the wait ends.
   */
  signal?: AbortSignal | undefined;
  /**
   * Milliseconds to wait for the reply, from the call, queued time included;
   * past it the call rejects with `OPERATIONTIMEOUT`. A request already sent
   * may still be applied by the server.
   */
  timeout?: number | undefined;
}

/** {@linkcode CallOptions} with the caller's stack, as the session takes them. */
export interface CallControl extends CallOptions {
  /** An error made at the call: its stack replaces the library's in the call's error. */
  caller?: Error | undefined;
}

/**
 * An error with the caller's frames in place of the frames it was made in
 * (a reply handler's, which name no caller).
 *
 * @param error The error the call rejects with.
 * @param caller An error made at the call, if any.
 * @returns `error`, its `stack` rewritten.
 */
export function withCaller(error: Error, caller: Error | undefined): Error {
  const stack = caller?.stack;
  if (stack === undefined) return error;
  const frames = stack.indexOf("\n");
  if (frames < 0) return error;
  error.stack = `${error.name}: ${error.message}${stack.slice(frames)}`;
  return error;
}

/**
 * A request that settles once: at its reply, its deadline or its signal,
 * whichever comes first.
 *
 * @param pending The request.
 * @param call The deadline, the signal and the caller's stack.
 * @param clock Runs the deadline.
 * @returns The request to queue in place of `pending`; its `settled` turns
 *   true when it settles.
 */
export function guarded(
  pending: PendingRequest,
  call: CallControl,
  clock: Clock,
): PendingRequest {
  const { signal, timeout, caller } = call;
  let timer: TimerHandle | undefined;
  const finish = (): boolean => {
    if (guard.settled) return false;
    guard.settled = true;
    if (timer !== undefined) clock.clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    return true;
  };
  const guard: PendingRequest & { settled: boolean } = {
    xid: pending.xid,
    frame: pending.frame,
    verb: pending.verb,
    path: pending.path,
    decode: pending.decode,
    onReply: pending.onReply,
    nullOn: pending.nullOn,
    settled: false,
    resolve: (value) => {
      if (finish()) pending.resolve(value);
    },
    reject: (error) => {
      if (finish()) pending.reject(withCaller(error, caller));
    },
  };
  const onAbort = () => {
    if (finish()) pending.reject(signal!.reason);
  };
  if (timeout !== undefined && timeout !== Infinity) {
    timer = clock.setTimeout(() => {
      timer = undefined;
      guard.reject(
        new ZooKeeperError(
          "OPERATIONTIMEOUT",
          `Cannot ${describeRequest(pending.verb, pending.path)}: no reply within ${timeout} ms`,
          { path: pending.path },
        ),
      );
    }, clampDelay(timeout));
  }
  signal?.addEventListener("abort", onAbort, { once: true });
  return guard;
}
