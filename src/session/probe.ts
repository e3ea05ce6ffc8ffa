/**
 * Asking a server whether it serves writes, with the `isro` four-letter word
 * the Java client uses while it is connected to a read-only server
 * (`ClientCnxn.SendThread.pingRwServer`): the server answers `rw` or `ro` and
 * closes the connection.
 *
 * @module
 */

import type { TlsOptions, Transport, TransportConnection } from "../transport/transport.ts";
import type { Clock } from "./clock.ts";
import type { HostPort } from "./connect_string.ts";

const ISRO = new TextEncoder().encode("isro");

/**
 * Whether the server at `target` serves writes.
 *
 * @param transport Opens the connection.
 * @param target The server.
 * @param tls TLS settings, as for the session.
 * @param clock Times out a silent server.
 * @param timeout How long to wait for the answer, in milliseconds.
 * @returns `true` when it answered `rw`; `false` for `ro`, no answer or an error.
 */
export function isReadWrite(
  transport: Transport,
  target: HostPort,
  tls: TlsOptions | undefined,
  clock: Clock,
  timeout = 1000,
): Promise<boolean> {
  return new Promise((resolve) => {
    let reply = "";
    let settled = false;
    let conn: TransportConnection | undefined;
    const decoder = new TextDecoder();
    const done = () => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(limit);
      conn?.close();
      resolve(reply.startsWith("rw"));
    };
    const limit = clock.setTimeout(done, timeout);
    transport.connect({ host: target.host, port: target.port, tls }, {
      data: (chunk) => reply += decoder.decode(chunk, { stream: true }),
      closed: done,
    }).then((c) => {
      conn = c;
      if (settled) c.close();
      else c.write(ISRO);
    }, done);
  });
}
