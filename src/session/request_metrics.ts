/**
 * Requests as a {@linkcode ClientMetricsRecorder} sees them: started when
 * submitted, ended when their promise settles, with the error's code. Only a
 * session given a recorder goes through here; others pay nothing.
 *
 * @module
 */

import { errorCodeName, opCodeName } from "../protocol/constants.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import type { ClientMetricsRecorder } from "../util/client_metrics.ts";
import type { Clock } from "./clock.ts";
import type { PendingRequest } from "./request_queue.ts";

/**
 * Reports a request as started and returns it with settlers that report its
 * end before settling.
 *
 * @param pending The request.
 * @param opcode Its request type, named in the report.
 * @param metrics The recorder.
 * @param clock Measures the time to the reply.
 * @returns The request to queue in place of `pending`.
 */
export function measured(
  pending: PendingRequest,
  opcode: number,
  metrics: ClientMetricsRecorder,
  clock: Clock,
): PendingRequest {
  const op = opCodeName(opcode);
  const start = clock.now();
  metrics.requestStarted(op);
  return {
    ...pending,
    resolve: (value) => {
      // A null answer to a request that reads an error code as null (exists
      // and NONODE) is reported with that code, as any error reply is.
      if (value === null && pending.nullOn !== undefined) {
        metrics.requestEnded(op, clock.now() - start, errorCodeName(pending.nullOn));
      } else {
        metrics.requestEnded(op, clock.now() - start);
      }
      pending.resolve(value);
    },
    reject: (error) => {
      const code = ZooKeeperError.is(error) ? error.code : "SYSTEMERROR";
      metrics.requestEnded(op, clock.now() - start, code);
      pending.reject(error);
    },
  };
}
