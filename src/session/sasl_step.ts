/**
 * The SASL login that opens each connection of a session configured for it:
 * until it completes, nothing but its own requests go out on the connection.
 * A login on a connection that is gone since is forgotten.
 *
 * @module
 */

import { ZooKeeperError } from "../protocol/errors.ts";
import type { Connection } from "./connection.ts";
import type { RequestQueue } from "./request_queue.ts";
import { saslLogin, type SaslOptions, validateSasl } from "./sasl.ts";

/** Runs the SASL login of each new connection, when the session has credentials for it. */
export class SaslStep {
  readonly #options: SaslOptions | undefined;
  // The connection whose login runs.
  #conn: Connection | undefined;

  /**
   * @param options The credentials; none for a session without SASL.
   * @throws {ZooKeeperError} `BADARGUMENTS` for a mechanism other than DIGEST-MD5.
   */
  constructor(options: SaslOptions | undefined) {
    if (options !== undefined) validateSasl(options);
    this.#options = options;
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
    if (this.#options === undefined) return ready();
    this.#conn = conn;
    const write = (frame: Uint8Array) => conn.write(frame);
    saslLogin(this.#options, requests, write, () => refused()).then(() => {
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
    this.#conn = undefined;
  }
}
