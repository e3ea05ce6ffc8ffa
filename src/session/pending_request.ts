/**
 * A submitted request as the queue holds it: its frame, how to read its
 * reply, and the settlers of its promise, wrapped for metrics and for the
 * caller's deadline and signal when there are any.
 *
 * @module
 */

import type { ClientMetricsRecorder } from "../util/client_metrics.ts";
import { type CallOptions, guarded } from "./call.ts";
import type { Clock } from "./clock.ts";
import { type Request, setXid } from "./request_encoder.ts";
import { measured } from "./request_metrics.ts";
import type { PendingRequest } from "./request_queue.ts";

type Settlers = {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
};

// Until promiseSettledBy() gives them their promise's.
const unset = (): void => {
  throw new Error("A request's promise was never made");
};

/**
 * Makes the queued form of a request, its xid written into its frame. Its
 * `resolve` and `reject` are its promise's once
 * {@linkcode promiseSettledBy} has made that promise.
 *
 * @param request The request.
 * @param frame Its frame.
 * @param xid Its xid, written into the frame here.
 * @returns The request to queue, when it has its promise.
 */
export function queuedRequest<T>(
  request: Request<T>,
  frame: Uint8Array,
  xid: number,
): PendingRequest {
  setXid(frame, xid);
  return {
    xid,
    frame,
    verb: request.verb,
    path: request.path,
    decode: request.decode,
    onReply: request.onReply,
    nullOn: request.nullOn,
    resolve: unset,
    reject: unset,
  };
}

// The request whose promise is being made: the executor below is one
// function for every request, not a closure for each.
let settling: Settlers | undefined;
function takeSettlers(resolve: (value: unknown) => void, reject: (error: Error) => void): void {
  settling!.resolve = resolve;
  settling!.reject = reject;
}

/**
 * Makes the promise that a request made by {@linkcode queuedRequest}
 * settles, and gives the request its settlers.
 *
 * @param pending The request.
 * @returns Its promise.
 */
export function promiseSettledBy<T>(pending: PendingRequest): Promise<T> {
  settling = pending as Settlers;
  try {
    return new Promise<T>(takeSettlers as (resolve: (value: T) => void) => void);
  } finally {
    settling = undefined;
  }
}

/**
 * Wraps a request's settlers for metrics, and for the caller's deadline and
 * signal, when there are any.
 *
 * @param pending The request, with its promise made.
 * @param opcode Its type, for metrics.
 * @param options `clock` measures the time to the reply and runs the
 *   deadline; `metrics`, if given, is told of the request's start and end.
 * @param call The caller's deadline and signal, if given.
 * @returns The request to queue.
 */
export function withCallOptions(
  pending: PendingRequest,
  opcode: number,
  options: { clock: Clock; metrics?: ClientMetricsRecorder | undefined },
  call: CallOptions | undefined,
): PendingRequest {
  const { clock, metrics } = options;
  if (metrics !== undefined) pending = measured(pending, opcode, metrics, clock);
  if (call !== undefined) pending = guarded(pending, call, clock);
  return pending;
}
