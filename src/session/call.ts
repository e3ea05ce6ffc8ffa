/**
 * What a caller may ask of one call besides its arguments: give up at a
 * deadline or when a signal aborts. A call that gives up is settled at once;
 * its entry stays in the queue it is in, marked settled, so that the replies
 * still pair with the requests in xid order: a late reply is read and
 * dropped, a held request is never sent.
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

/**
 * A request that settles once: at its reply, its deadline or its signal,
 * whichever comes first.
 *
 * @param pending The request.
 * @param call The deadline and the signal.
 * @param clock Runs the deadline.
 * @returns The request to queue in place of `pending`; its `settled` turns
 *   true when it settles.
 */
export function guarded(
  pending: PendingRequest,
  call: CallOptions,
  clock: Clock,
): PendingRequest {
  const { signal, timeout } = call;
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
      if (finish()) pending.reject(error);
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
