/**
 * Where each frame from the server goes: its ReplyHeader read field by field
 * (no object, no bigint), then pings and SetWatches answers dropped,
 * notifications handed up, AuthPacket answers to the auth book, and every
 * other reply to the request it answers.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/ClientCnxn.java
 * @module
 */

import type { JuteReader } from "../jute/reader.ts";
import { ErrorCode, Xid } from "../protocol/constants.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import type { AuthBook } from "./auth_book.ts";
import type { RequestQueue } from "./request_queue.ts";
import type { SessionIdentity } from "./session_identity.ts";
import type { SessionListener } from "./session_options.ts";

/** The parts of a session the replies update. */
export interface ReplyRouterParts {
  /** The requests awaiting replies. */
  readonly requests: RequestQueue;
  /** Keeps the last zxid. */
  readonly identity: SessionIdentity;
  /** The credentials and the callers waiting for their answers. */
  readonly auth: AuthBook;
  /** Receives the notifications. */
  readonly listener: SessionListener;
  /** Largest frame accepted from the server. */
  readonly maxFrameSize: number;
}

/** Reads each frame's header and settles what it answers. */
export class ReplyRouter {
  // The parts are kept one by one, not as the object given: one object less
  // per session.
  readonly #requests: RequestQueue;
  readonly #identity: SessionIdentity;
  readonly #auth: AuthBook;
  readonly #listener: SessionListener;
  readonly #maxFrameSize: number;

  /** @param parts What the replies settle and update. */
  constructor(parts: ReplyRouterParts) {
    this.#requests = parts.requests;
    this.#identity = parts.identity;
    this.#auth = parts.auth;
    this.#listener = parts.listener;
    this.#maxFrameSize = parts.maxFrameSize;
  }

  /**
   * Handles one whole frame.
   *
   * @param r The frame, after its length prefix.
   * @returns Whether the server refused the session's credentials, which
   *   ends the session (told so, rather than through a callback the session
   *   would hold for its whole life).
   * @throws On a reply that breaks the stream; the connection then counts as lost.
   */
  frame(r: JuteReader): boolean {
    const xid = r.readInt();
    const zxidHi = r.readInt();
    const zxidLo = r.readInt() >>> 0;
    const err = r.readInt();
    switch (xid) {
      case Xid.ping:
      case Xid.setWatches:
        return false;
      case Xid.notification:
        // The WatcherEvent record, read field by field.
        this.#listener.notification(r.readInt(), r.readInt(), r.readString() ?? "");
        return false;
      case Xid.auth:
        return this.#onAuthReply(err);
    }
    const pending = this.#requests.match(xid);
    this.#identity.sawZxid(zxidHi, zxidLo);
    this.#requests.settle(pending, err, r);
    return false;
  }

  /**
   * Handles a frame over `maxFrameSize`, whose body was dropped: a reply
   * fails its request alone and the stream goes on.
   *
   * @param r The frame's header.
   * @param length The frame's length.
   * @throws On anything but a reply: that large, it breaks the stream.
   */
  oversized(r: JuteReader, length: number): void {
    const xid = r.readInt();
    const zxidHi = r.readInt();
    const zxidLo = r.readInt() >>> 0;
    const limit = this.#maxFrameSize;
    if (xid <= 0) {
      throw new RangeError(`Frame length ${length} is out of range (0 to ${limit} bytes)`);
    }
    const pending = this.#requests.match(xid);
    this.#identity.sawZxid(zxidHi, zxidLo);
    this.#requests.oversized(pending, length, limit);
  }

  #onAuthReply(err: number): boolean {
    const waiter = this.#auth.answered();
    if (err === 0) {
      waiter?.resolve();
      return false;
    }
    waiter?.reject(ZooKeeperError.fromServer(err, "authenticate", undefined));
    return err === ErrorCode.AUTHFAILED;
  }
}
