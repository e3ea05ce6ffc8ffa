/**
 * The credentials of a session: every one added is sent again after each
 * reconnect, and each caller of `addAuth` waits for the server's answer to
 * its own AuthPacket. The server answers AuthPackets in order, with xid -4.
 * A connection lost before the answer does not settle the caller: the
 * credentials go again with the next connection and that answer counts.
 *
 * @module
 */

import { Deque } from "./deque.ts";
import { encodeAuth } from "./request_encoder.ts";
import { withinLimit } from "./request_frame.ts";

/** Settles one `addAuth` call. */
export interface AuthWaiter {
  /** The server accepted the credentials. */
  resolve(): void;
  /** The server refused them, or the connection or session ended first. */
  reject(error: Error): void;
}

interface Entry {
  scheme: string;
  auth: Uint8Array;
  // Set while the caller waits and the credentials are not on the wire.
  waiter: AuthWaiter | undefined;
}

// One AuthPacket on the wire: its credentials and the caller waiting for it
// (none for a replay of credentials already accepted).
interface Sent {
  entry: Entry;
  waiter: AuthWaiter | undefined;
}

/** The credentials of a session and the callers waiting for answers. */
export class AuthBook {
  // None until credentials are added, as most sessions never have any.
  #entries: Entry[] | undefined;
  // One slot per AuthPacket on the wire, in order; made with the first.
  #awaitingReply: Deque<Sent> | undefined;

  /**
   * Records credentials.
   *
   * @param scheme The scheme, such as `"digest"`.
   * @param auth The credentials.
   * @param waiter Settled by the server's answer.
   * @param sendNow Whether the connection is up: then the frame to send is
   *   returned; otherwise the credentials go with the next handshake.
   * @param maxRequestSize The largest frame the server accepts (its
   *   default when undefined).
   * @returns The AuthPacket frame to send now, if `sendNow`.
   * @throws {ZooKeeperError} `BADARGUMENTS` for credentials larger than the
   *   server accepts: it would close every connection they are sent on.
   */
  add(
    scheme: string,
    auth: Uint8Array,
    waiter: AuthWaiter,
    sendNow: boolean,
    maxRequestSize?: number,
  ): Uint8Array | undefined {
    const frame = withinLimit(encodeAuth(scheme, auth), maxRequestSize, "authenticate");
    if (!sendNow) {
      (this.#entries ??= []).push({ scheme, auth, waiter });
      return undefined;
    }
    const entry = { scheme, auth, waiter: undefined };
    (this.#entries ??= []).push(entry);
    (this.#awaitingReply ??= new Deque()).push({ entry, waiter });
    return frame;
  }

  /**
   * The AuthPackets of every credential, to send after a handshake.
   *
   * @returns The frames, in the order they were added.
   */
  replay(): Uint8Array[] {
    return (this.#entries ?? []).map((entry) => {
      (this.#awaitingReply ??= new Deque()).push({ entry, waiter: entry.waiter });
      entry.waiter = undefined;
      return encodeAuth(entry.scheme, entry.auth);
    });
  }

  /**
   * Takes the waiter of the AuthPacket the server just answered.
   *
   * @returns It, or `undefined` for a replay.
   */
  answered(): AuthWaiter | undefined {
    return this.#awaitingReply?.shift()?.waiter;
  }

  /**
   * Forgets the AuthPackets sent and not answered (the connection was lost):
   * their callers wait for the answer to the next replay.
   */
  unsent(): void {
    for (const { entry, waiter } of this.#awaitingReply?.drain() ?? []) {
      if (waiter !== undefined) entry.waiter = waiter;
    }
  }

  /**
   * Rejects every caller still waiting (the session ended).
   *
   * @param error Their error.
   */
  failAll(error: Error): void {
    this.unsent();
    for (const entry of this.#entries ?? []) entry.waiter?.reject(error);
  }
}
