/**
 * SASL authentication over ZooKeeper's `sasl` request (OpCode 102): the
 * client sends a token in a GetSASLRequest, the server answers with one in a
 * SetSASLResponse, until the mechanism is complete. Each exchange uses
 * ordinary xids; while it runs the session sends nothing else (ClientCnxn's
 * "tunnelled authentication": `tunnelAuthInProgress()` holds every packet but
 * SASL ones). A refused login is answered with `AUTHFAILED` and the server
 * closes the session (ZooKeeperServer.processSasl).
 *
 * Only DIGEST-MD5 is offered: GSSAPI (Kerberos) needs a ticket cache and a
 * GSS-API implementation that the runtimes this client targets do not have.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/client/ZooKeeperSaslClient.java
 * @module
 */

import { ErrorCode, OpCode } from "../protocol/constants.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import { readSaslResponse, writeSaslRequest } from "../protocol/records_admin.ts";
import { DigestMd5Client } from "./digest_md5.ts";
import type { Request } from "./request_encoder.ts";

/** SASL credentials, as the server's JAAS `DigestLoginModule` knows them. */
export interface SaslOptions {
  /** The mechanism; only `"DIGEST-MD5"` is supported (not GSSAPI/Kerberos). */
  mechanism: "DIGEST-MD5";
  /** The user (`user_<name>` in the server's JAAS file). */
  username: string;
  /** Its password. */
  password: string;
}

/**
 * Checks SASL settings before any connection is made.
 *
 * @param options The settings.
 * @throws {ZooKeeperError} `BADARGUMENTS` for a mechanism other than DIGEST-MD5.
 */
export function validateSasl(options: SaslOptions): void {
  if (options.mechanism !== "DIGEST-MD5") {
    throw new ZooKeeperError(
      "BADARGUMENTS",
      `Unsupported SASL mechanism "${options.mechanism}": only DIGEST-MD5 is supported`,
    );
  }
}

/**
 * Whether a reply's error code means the server refused the login and is
 * closing the session.
 *
 * @param err The code.
 * @returns Whether it is `AUTHFAILED` or `SESSIONCLOSEDREQUIRESASLAUTH`.
 */
export function isSaslRefusal(err: number): boolean {
  return err === ErrorCode.AUTHFAILED || err === ErrorCode.SESSIONCLOSEDREQUIRESASLAUTH;
}

/**
 * One `sasl` request carrying a token.
 *
 * @param token The client's token.
 * @returns The request; its reply is the server's token.
 */
export function saslRequest(token: Uint8Array): Request<Uint8Array> {
  return {
    opcode: OpCode.sasl,
    verb: "authenticate with SASL",
    encode: (w) => writeSaslRequest(w, token),
    decode: readSaslResponse,
  };
}

/**
 * The token exchange of one login.
 *
 * @param options The credentials.
 * @param send Sends a request and waits for its reply.
 * @returns Resolves once the server has proved it knows the password too.
 * @throws {ZooKeeperError} What `send` rejects with (`AUTHFAILED` for a
 *   refused login, `CONNECTIONLOSS`), or `AUTHFAILED` when the server's
 *   answers are unusable or its proof is wrong.
 */
export async function exchange(
  options: SaslOptions,
  send: (request: Request<Uint8Array>) => Promise<Uint8Array>,
): Promise<void> {
  const client = new DigestMd5Client(options);
  const fail = (error: unknown) =>
    new ZooKeeperError(
      "AUTHFAILED",
      `SASL login as "${options.username}" failed: ${(error as Error).message}`,
      { cause: error },
    );
  let token: Uint8Array | undefined;
  try {
    token = client.evaluate(new Uint8Array(0));
  } catch (error) {
    throw fail(error);
  }
  while (token !== undefined) {
    const answer = await send(saslRequest(token));
    try {
      token = client.evaluate(answer);
    } catch (error) {
      throw fail(error);
    }
  }
  if (!client.complete) throw fail(new Error("the exchange ended early"));
}
