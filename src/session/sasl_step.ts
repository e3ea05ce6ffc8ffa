/**
 * The SASL login that opens each connection of a session configured for it:
 * its requests go out at once, ahead of every request held offline, and
 * until it completes nothing else goes out on the connection. A login on a
 * connection that is gone since is forgotten.
 *
 * @module
 */

import { ZooKeeperError } from "../protocol/errors.ts";
import type { Clock } from "./clock.ts";
import type { Connection } from "./connection.ts";
import { promiseSettledBy, queuedRequest } from "./pending_request.ts";
import { encodeRequest, type Request } from "./request_encoder.ts";
import type { RequestQueue } from "./request_queue.ts";
import { exchange, isSaslRefusal, type SaslOptions, validateSasl } from "./sasl.ts";

/** Runs the SASL login of each new connection, when the session has credentials for it. */
export class SaslStep {
  readonly #options: SaslOptions | undefined;
  readonly #clock: Clock;
  // The connection whose login runs.
  #conn: Connection | undefined;

  /**
   * @param options The credentials; none for a session without SASL.
   * @param clock The session's clock.
   * @throws {ZooKeeperError} `BADARGUMENTS` for a mechanism other than DIGEST-MD5.
   */
  constructor(options: SaslOptions | undefined, clock: Clock) {
    if (options !== undefined) validateSasl(options);
    this.#options = options;
    this.#clock = clock;
  }

  /** Whether a login runs now: the connection carries nothing else yet. */
  get running(): boolean {
    return this.#conn !== undefined;
  }

  /**
   * Logs in on a newly established connection, then calls `ready`; without
   * credentials, calls it at once. Nothing is called for a connection
   * dropped before the answer, nor for a login cut by a lost connection.
   *
   * @param conn The connection.
   * @param requests The session's xids and awaiting-reply queue.
   * @param ready Called once the login is complete.
   * @param refused Called when the server refuses the login, before any
   *   promise settles, or with the error when the login fails otherwise.
   */
  run(
    conn: Connection,
    requests: RequestQueue,
    ready: () => void,
    refused: (error?: Error) => void,
  ): void {
    const credentials = this.#options;
    if (credentials === undefined) return ready();
    this.#conn = conn;
    const onReply = (err: number) => {
      if (isSaslRefusal(err)) refused();
    };
    const send = (request: Request<Uint8Array>): Promise<Uint8Array> => {
      let frame: Uint8Array;
      try {
        frame = encodeRequest(request);
      } catch (error) {
        return Promise.reject(error);
      }
      const pending = queuedRequest({ ...request, onReply }, frame, requests.nextXid());
      const reply = promiseSettledBy<Uint8Array>(pending);
      requests.sent(pending);
      conn.write(frame);
      return reply;
    };
    exchange(credentials, send).then(() => {
      if (this.#conn !== conn) return;
      this.#conn = undefined;
      ready();
    }, (error: Error) => {
      if (this.#conn !== conn || ZooKeeperError.is(error, "CONNECTIONLOSS")) return;
      refused(error);
    });
  }

  /** Forgets the login of the connection, which is gone. */
  drop(): void {
    // Unwritten without a login, for the reason Session's phase gives.
    if (this.#conn !== undefined) this.#conn = undefined;
  }
}
