/**
 * The errors of this client: one class for everything ZooKeeper (or the client
 * on its behalf) reports, carrying the code by name, and one for a multi whose
 * transaction failed.
 *
 * @module
 */

import { ErrorCode, type ErrorCodeName, errorCodeName } from "./constants.ts";

/**
 * A code of {@linkcode ZooKeeperError}: a ZooKeeper error code by name
 * (`"NONODE"`, `"NODEEXISTS"`, ...) or `"CLOSED"` for a call on a client that
 * was closed.
 */
export type ZooKeeperErrorCode = ErrorCodeName | "CLOSED";

const descriptions: Partial<Record<ZooKeeperErrorCode, string>> = {
  SYSTEMERROR: "system error",
  RUNTIMEINCONSISTENCY: "runtime inconsistency",
  DATAINCONSISTENCY: "data inconsistency",
  CONNECTIONLOSS: "connection lost",
  MARSHALLINGERROR: "malformed message",
  UNIMPLEMENTED: "operation not implemented by the server",
  OPERATIONTIMEOUT: "operation timed out",
  BADARGUMENTS: "bad arguments",
  UNKNOWNSESSION: "unknown session",
  NEWCONFIGNOQUORUM: "no quorum of the new configuration",
  RECONFIGINPROGRESS: "another reconfiguration is in progress",
  APIERROR: "API error",
  NONODE: "node does not exist",
  NOAUTH: "not authorized",
  BADVERSION: "version does not match",
  NOCHILDRENFOREPHEMERALS: "ephemeral nodes cannot have children",
  NODEEXISTS: "node already exists",
  NOTEMPTY: "node has children",
  SESSIONEXPIRED: "session expired",
  INVALIDCALLBACK: "invalid callback",
  INVALIDACL: "invalid ACL",
  AUTHFAILED: "authentication failed",
  SESSIONMOVED: "session moved to another server",
  NOTREADONLY: "server is read-only",
  EPHEMERALONLOCALSESSION: "ephemeral node on a local session",
  NOWATCHER: "no such watcher",
  REQUESTTIMEOUT: "request timed out",
  RECONFIGDISABLED: "reconfiguration is disabled",
  SESSIONCLOSEDREQUIRESASLAUTH: "session closed: SASL authentication required",
  QUOTAEXCEEDED: "quota exceeded",
  THROTTLEDOP: "operation throttled by the server",
  CLOSED: "client is closed",
};

/**
 * Describes a code in a few words, as used in error messages.
 *
 * @param code The error code.
 * @returns A lower-case phrase, such as `"node does not exist"`.
 */
export function describeCode(code: ZooKeeperErrorCode): string {
  return descriptions[code] ?? code.toLowerCase();
}

/** Options of {@linkcode ZooKeeperError}. */
export interface ZooKeeperErrorOptions {
  /** The znode path the failed operation was about. */
  path?: string | undefined;
  /** The underlying error. */
  cause?: unknown;
  /** The number the server replied with. */
  serverCode?: number | undefined;
}

/**
 * An error reported by ZooKeeper for an operation, or by the client for the
 * connection (`CONNECTIONLOSS`, `SESSIONEXPIRED`, `CLOSED`) or for arguments
 * refused before anything was sent (`BADARGUMENTS`).
 *
 * @example Telling "already there" apart from other failures
 * ```ts
 * import { ZooKeeperError } from "./errors.ts";
 * try {
 *   throw ZooKeeperError.fromServer(-110, "create", "/app");
 * } catch (e) {
 *   if (ZooKeeperError.is(e, "NODEEXISTS")) console.log(e.message);
 *   // Cannot create "/app": node already exists
 * }
 * ```
 */
export class ZooKeeperError extends Error {
  /** The error code by name. */
  readonly code: ZooKeeperErrorCode;
  /** The path of the operation, when it had one. */
  readonly path: string | undefined;
  /**
   * The number the server replied with, when the error is a reply's: the only
   * trace of a code this client does not know (its `code` is then
   * `SYSTEMERROR`).
   */
  readonly serverCode: number | undefined;

  /**
   * Makes an error with a code and a message.
   *
   * @param code The error code.
   * @param message The whole message.
   * @param options The path and cause.
   */
  constructor(
    code: ZooKeeperErrorCode,
    message: string,
    options: ZooKeeperErrorOptions = {},
  ) {
    super(
      message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "ZooKeeperError";
    this.code = code;
    this.path = options.path;
    this.serverCode = options.serverCode;
  }

  /**
   * Whether `error` is a {@linkcode ZooKeeperError} with one of `codes` (any
   * code when none is given).
   *
   * @param error What was thrown.
   * @param codes The codes to match.
   * @returns Whether it matches.
   *
   * @example Ignore a missing node
   * ```ts
   * import { ZooKeeperError } from "@nd/service-registry";
   * const error = ZooKeeperError.fromServer("NONODE", "delete", "/a");
   * console.assert(ZooKeeperError.is(error, "NONODE", "NOTEMPTY"));
   * ```
   */
  static is(error: unknown, ...codes: ZooKeeperErrorCode[]): error is ZooKeeperError {
    return error instanceof ZooKeeperError && (codes.length === 0 || codes.includes(error.code));
  }

  /**
   * Builds the error for a failed operation, with the message
   * `Cannot <verb> "<path>": <what went wrong>`.
   *
   * @param code The numeric code from the reply, or a code name.
   * @param verb What was attempted, such as `"create"`.
   * @param path The path, if the operation had one.
   * @param cause The underlying error, if any.
   * @returns The error.
   */
  static fromServer(
    code: number | ZooKeeperErrorCode,
    verb: string,
    path?: string,
    cause?: unknown,
  ): ZooKeeperError {
    const name = typeof code === "number" ? errorCodeName(code) : code;
    const target = path === undefined ? "" : ` "${path}"`;
    const known = typeof code !== "number" || name !== "SYSTEMERROR" ||
      code === ErrorCode.SYSTEMERROR;
    const what = known ? describeCode(name) : `unknown error ${code}`;
    const serverCode = typeof code === "number" ? code : undefined;
    return new ZooKeeperError(name, `Cannot ${verb}${target}: ${what}`, {
      path,
      cause,
      serverCode,
    });
  }
}

/** The outcome of one operation of a failed multi. */
export interface MultiErrorResult {
  /** The operation's kind, as given to `multi`. */
  op: string;
  /** The operation's path. */
  path: string;
  /** `"OK"` for an operation that would have succeeded, else why it failed. */
  code: ZooKeeperErrorCode | "OK";
}

/**
 * A multi whose transaction failed: nothing was applied. `index` names the
 * first operation that failed; `results` carries every operation's code (those
 * before it `OK`, those after it usually `RUNTIMEINCONSISTENCY`).
 */
export class MultiError extends ZooKeeperError {
  /** Index of the first failed operation. */
  readonly index: number;
  /** Every operation's outcome, in order. */
  readonly results: readonly MultiErrorResult[];

  /**
   * Makes the error of a failed transaction.
   *
   * @param index Index of the first failed operation.
   * @param results Every operation's outcome.
   */
  constructor(index: number, results: readonly MultiErrorResult[]) {
    const failed = results[index];
    const code = failed.code === "OK" ? "SYSTEMERROR" : failed.code;
    super(
      code,
      `Cannot commit transaction: operation ${index} (${failed.op} "${failed.path}") failed: ${
        describeCode(code)
      }`,
      { path: failed.path },
    );
    this.name = "MultiError";
    this.index = index;
    this.results = results;
  }
}
