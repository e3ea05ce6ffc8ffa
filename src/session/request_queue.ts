/**
 * The requests of a session between `submit` and their replies: xids, the
 * requests sent and awaiting a reply (in xid order: the server answers in
 * order, `ClientCnxn.pendingQueue`), and the requests held while offline
 * until the next connection (`ClientCnxn.outgoingQueue`).
 *
 * @module
 */

import type { JuteReader } from "../jute/reader.ts";
import { ErrorCode } from "../protocol/constants.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import { Deque } from "./deque.ts";
import { describeRequest } from "./request_encoder.ts";

const MAX_XID = 0x7fffffff;
const COMPACT_MIN = 64;

/** A submitted request with its frame and the promise it settles. */
export interface PendingRequest {
  /** Its xid, written into the frame. */
  readonly xid: number;
  /** The whole frame. */
  readonly frame: Uint8Array;
  /** What it does, for messages. */
  readonly verb: string;
  /** The path it is about, for messages. */
  readonly path: string | undefined;
  /** Reads the reply body. */
  readonly decode: ((r: JuteReader) => unknown) | undefined;
  /** Called with the reply's error code before the promise settles. */
  readonly onReply: ((err: number) => void) | undefined;
  /** The error code the request takes as a `null` reply (see `Request.nullOn`). */
  readonly nullOn: number | undefined;
  /** Settles the promise with the reply. */
  readonly resolve: (value: unknown) => void;
  /** Settles the promise with an error. */
  readonly reject: (error: Error) => void;
  /**
   * Whether the caller has already had its answer (a deadline or an abort):
   * its reply is then read and dropped, and it is not sent if still held.
   */
  readonly settled?: boolean | undefined;
}

/** Xids, the requests awaiting a reply and the requests held offline. */
export class RequestQueue {
  readonly #awaitingReply = new Deque<PendingRequest>();
  // Made for the first request held while disconnected.
  #offline: Deque<PendingRequest> | undefined;
  #xid: number;
  #compactAt = COMPACT_MIN;

  /** @param firstXid The first xid to hand out. */
  constructor(firstXid = 1) {
    this.#xid = firstXid;
  }

  /**
   * The next xid; after 2^31-1 it wraps to 1 (0 and negative xids are the
   * server's and the control frames').
   *
   * @returns The xid.
   */
  nextXid(): number {
    const xid = this.#xid;
    this.#xid = xid === MAX_XID ? 1 : xid + 1;
    return xid;
  }

  /**
   * Records a request just written to the connection.
   *
   * @param request The request.
   */
  sent(request: PendingRequest): void {
    this.#awaitingReply.push(request);
  }

  /**
   * Holds a request until the next connection.
   *
   * @param request The request.
   */
  hold(request: PendingRequest): void {
    const offline = this.#offline ??= new Deque();
    offline.push(request);
    // Calls that gave up while held leave at the next connection; a long
    // disconnection with many of them sheds them here, at an amortized O(1).
    if (offline.size >= this.#compactAt) {
      for (const held of offline.drain()) if (held.settled !== true) offline.push(held);
      this.#compactAt = Math.max(COMPACT_MIN, offline.size * 2);
    }
  }

  /** Number of requests held until the next connection. */
  get held(): number {
    return this.#offline?.size ?? 0;
  }

  /**
   * Takes every request held offline, oldest first, to be sent now; those
   * whose caller gave up are dropped.
   *
   * @returns The requests.
   */
  takeOffline(): PendingRequest[] {
    if (this.#offline === undefined) return [];
    return this.#offline.drain().filter((request) => request.settled !== true);
  }

  /**
   * Takes the request a reply answers: the oldest awaiting one.
   *
   * @param xid The reply's xid.
   * @returns The request.
   * @throws {ZooKeeperError} `MARSHALLINGERROR` when the reply is not for the
   *   oldest request (it is rejected with `CONNECTIONLOSS`): the stream can no
   *   longer be trusted.
   */
  match(xid: number): PendingRequest {
    const request = this.#awaitingReply.shift();
    if (request !== undefined && request.xid === xid) return request;
    const failure = new ZooKeeperError(
      "MARSHALLINGERROR",
      `Reply out of order: xid ${xid}, expected ${request?.xid ?? "none"}`,
    );
    request?.reject(
      ZooKeeperError.fromServer("CONNECTIONLOSS", request.verb, request.path, failure),
    );
    throw failure;
  }

  /**
   * Settles a matched request with its reply.
   *
   * @param request The request.
   * @param err The reply's error code.
   * @param r The reply body.
   * @throws {ZooKeeperError} `MARSHALLINGERROR` when the body cannot be read
   *   (the request is rejected with it too).
   */
  settle(request: PendingRequest, err: number, r: JuteReader): void {
    // The caller gave up: no watch is registered for it, nothing is decoded.
    if (request.settled === true) return;
    if (err !== 0) {
      request.onReply?.(err);
      if (err === request.nullOn) request.resolve(null);
      else request.reject(ZooKeeperError.fromServer(err, request.verb, request.path));
      return;
    }
    let value: unknown;
    try {
      value = request.decode?.(r);
    } catch (error) {
      const failure = new ZooKeeperError(
        "MARSHALLINGERROR",
        `Cannot ${describeRequest(request.verb, request.path)}: ` +
          `malformed reply: ${(error as Error).message}`,
        { path: request.path, cause: error },
      );
      request.reject(failure);
      throw failure;
    }
    request.onReply?.(0);
    request.resolve(value);
  }

  /**
   * Fails a matched request whose reply was over the receive limit (and
   * dropped unread): no watch is registered for it.
   *
   * @param request The request.
   * @param length The reply's length in bytes.
   * @param limit The receive limit in bytes.
   */
  oversized(request: PendingRequest, length: number, limit: number): void {
    if (request.settled === true) return;
    request.onReply?.(ErrorCode.MARSHALLINGERROR);
    request.reject(
      new ZooKeeperError(
        "MARSHALLINGERROR",
        `Cannot ${describeRequest(request.verb, request.path)}: the reply of ${length} bytes ` +
          `is over the receive limit of ${limit} bytes (maxFrameSize)`,
        { path: request.path, cause: new RangeError(`Reply over ${limit} bytes`) },
      ),
    );
  }

  /**
   * Rejects the requests awaiting a reply (the connection was lost; those
   * held offline wait on).
   *
   * @param error Makes each one's error.
   */
  failAwaiting(error: (request: PendingRequest) => Error): void {
    for (const request of this.#awaitingReply.drain()) request.reject(error(request));
  }

  /**
   * Rejects every request, awaiting or held (the session ended).
   *
   * @param error Makes each one's error.
   */
  failAll(error: (request: PendingRequest) => Error): void {
    this.failAwaiting(error);
    for (const request of this.#offline?.drain() ?? []) request.reject(error(request));
  }
}
