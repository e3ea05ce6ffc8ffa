/**
 * A request's frame, refused before it is queued when it cannot be encoded or
 * is larger than the server accepts.
 *
 * @module
 */

import { DEFAULT_MAX_REQUEST_SIZE } from "../protocol/constants.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import { describeRequest, encodeRequest, type Request } from "./request_encoder.ts";

/**
 * Encodes a request into its frame (xid left at 0), within the server's limit.
 *
 * @param request The request.
 * @param maxRequestSize The largest frame after the length prefix
 *   (`jute.maxbuffer`); the server's default when undefined.
 * @returns The frame, length prefix included.
 * @throws {ZooKeeperError} `BADARGUMENTS` when the request cannot be encoded
 *   or its frame is over the limit.
 */
export function frameRequest(
  request: Request<unknown>,
  maxRequestSize: number | undefined,
): Uint8Array {
  const { verb, path } = request;
  let frame: Uint8Array;
  try {
    frame = encodeRequest(request);
  } catch (error) {
    throw new ZooKeeperError(
      "BADARGUMENTS",
      `Cannot ${describeRequest(verb, path)}: ${(error as Error).message}`,
      { path, cause: error },
    );
  }
  return withinLimit(frame, maxRequestSize, verb, path);
}

/**
 * Refuses a frame the server would refuse for its size (it closes the
 * connection on one).
 *
 * @param frame The frame, length prefix included.
 * @param maxRequestSize The largest frame after the length prefix; the
 *   server's default when undefined.
 * @param verb What the request does, for the message.
 * @param path The path it is about, if any.
 * @returns The frame.
 * @throws {ZooKeeperError} `BADARGUMENTS` when it is over the limit.
 */
export function withinLimit(
  frame: Uint8Array,
  maxRequestSize: number | undefined,
  verb: string,
  path?: string,
): Uint8Array {
  const limit = maxRequestSize ?? DEFAULT_MAX_REQUEST_SIZE;
  if (frame.length - 4 > limit) {
    throw new ZooKeeperError(
      "BADARGUMENTS",
      `Cannot ${describeRequest(verb, path)}: request of ${frame.length - 4} bytes ` +
        `exceeds the limit of ${limit} bytes`,
      { path },
    );
  }
  return frame;
}
