/**
 * One attempt to reach the session through the next server: the socket and
 * the handshake that names the session.
 *
 * @module
 */

import { Connection, type ConnectionEvents } from "./connection.ts";
import type { HostRing } from "./host_ring.ts";
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
