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

/**
 * Makes the queued form of a request, its xid written into its frame.
 *
 * @param request The request.
 * @param frame Its frame.
 * @param xid Its xid, written into the frame here.
 * @param resolve Settles the caller's promise with the reply.
 * @param reject Settles it with an error.
 * @param options `clock` measures the time to the reply and runs the
 *   deadline; `metrics`, if given, is told of the request's start and end.
 * @param call The caller's deadline and signal, if given.
 * @returns The request to queue.
 */
export function pendingRequest<T>(
  request: Request<T>,
  frame: Uint8Array,
  xid: number,
  resolve: (value: T) => void,
  reject: (error: Error) => void,
  options: { clock: Clock; metrics?: ClientMetricsRecorder | undefined },
  call: CallOptions | undefined,
): PendingRequest {
  setXid(frame, xid);
  let pending: PendingRequest = {
    xid,
    frame,
    verb: request.verb,
    path: request.path,
    decode: request.decode,
    onReply: request.onReply,
    nullOn: request.nullOn,
    resolve: resolve as (value: unknown) => void,
    reject,
  };
  const { clock, metrics } = options;
  if (metrics !== undefined) pending = measured(pending, request.opcode, metrics, clock);
  if (call !== undefined) pending = guarded(pending, call, clock);
  return pending;
}
