/**
 * One attempt to reach the session through the next server: the socket, the
 * handshake that names the session, and what goes first once it is
 * established.
 *
 * @module
 */

import { Xid } from "../protocol/constants.ts";
import type { AuthBook } from "./auth_book.ts";
import { Connection, type ConnectionEvents } from "./connection.ts";
import type { HostRing } from "./host_ring.ts";
import { type ControlRequest, encodeControl } from "./request_encoder.ts";
import type { RequestQueue } from "./request_queue.ts";
import type { SessionIdentity } from "./session_identity.ts";
import type { SessionOptions } from "./session_options.ts";

/**
 * Opens a connection to the next server of the ring and sends the handshake.
 * Each attempt may take its share of the session timeout, so that a whole
 * round over the servers fits in it.
 *
 * @param options The session's settings.
 * @param hosts The servers; advanced to the one tried.
 * @param identity The session to re-attach to, if any.
 * @param events What the connection reports.
 * @returns The connection, opening.
 */
export function connectAttempt(
  options: SessionOptions,
  hosts: HostRing,
  identity: SessionIdentity,
  events: ConnectionEvents,
): Connection {
  return new Connection({
    host: hosts.advance(),
    transport: options.transport,
    tls: options.tls,
    clock: options.clock,
    maxFrameSize: options.maxFrameSize,
    timeout: Math.max(1, Math.floor(identity.timeout / hosts.size)),
    handshake: identity.handshake(options.sessionTimeout, options.readOnly),
  }, events);
}

/**
 * Sends what an established connection carries before anything else: the
 * credentials, then the watches to restore, then whatever waited. That is the
 * order ClientCnxn.primeConnection uses, so that restored watches and queued
 * requests run with the session's credentials.
 *
 * @param conn The connection, its session established.
 * @param auth The credentials, replayed.
 * @param watches The SetWatches requests; `undefined` sends the credentials
 *   alone (the session is closing).
 * @param requests The requests held offline, sent now.
 */
export function primeConnection(
  conn: Connection,
  auth: AuthBook,
  watches: readonly ControlRequest[] | undefined,
  requests: RequestQueue,
): void {
  for (const frame of auth.replay()) conn.write(frame);
  if (watches === undefined) return;
  for (const req of watches) conn.write(encodeControl(Xid.setWatches, req));
  for (const pending of requests.takeOffline()) {
    requests.sent(pending);
    conn.write(pending.frame);
  }
}
