/**
 * What names a session to the server across connections: its id, its
 * password, the last zxid seen and the negotiated timeout. The handshake of
 * every connection is built from it, and every answer to a handshake updates
 * it.
 *
 * @module
 */

import type { ConnectRequest, ConnectResponse } from "../protocol/records_session.ts";
import { MAX_TIMER_DELAY } from "./clock.ts";

/**
 * The longest session timeout the client keeps, in milliseconds (about 18.6
 * days): a longer one granted by the server is lowered to it, with a warning.
 */
export const MAX_SESSION_TIMEOUT: number = Math.floor(MAX_TIMER_DELAY * 3 / 4);

/** A session's id, password, last zxid and timeout. */
export class SessionIdentity {
  #sessionId = 0n;
  // Kept as a string of its byte values: 16 bytes in a 32-byte string, where
  // a Uint8Array and its buffer take 180 for every idle session.
  #password = NO_PASSWORD;
  // The last zxid in two halves: a reply costs no bigint (nor an object for its
  // header); the bigint is made when asked for.
  #lastZxidHi = 0;
  #lastZxidLo = 0;
  #timeout: number;
  #seenReadWrite = false;

  /**
   * @param sessionTimeout The requested timeout, in milliseconds.
   * @param resume An existing session to resume, with its password.
   */
  constructor(
    sessionTimeout: number,
    resume?: { sessionId: bigint; password: Uint8Array } | undefined,
  ) {
    this.#timeout = sessionTimeout;
    if (resume !== undefined) {
      this.#sessionId = resume.sessionId;
      this.#password = byteString(resume.password);
      this.#seenReadWrite = true;
    }
  }

  /** The session id, `0n` before the first connection. */
  get sessionId(): bigint {
    return this.#sessionId;
  }

  /** The session password, for resuming the session elsewhere (a copy). */
  get password(): Uint8Array {
    return stringBytes(this.#password);
  }

  /** The negotiated session timeout (the requested one until connected). */
  get timeout(): number {
    return this.#timeout;
  }

  /** The highest zxid seen in a reply. */
  get lastZxid(): bigint {
    return (BigInt(this.#lastZxidHi) << 32n) | BigInt(this.#lastZxidLo);
  }

  /**
   * Keeps the zxid of a reply, given in two halves as read, when it is set.
   *
   * @param hi The high 32 bits, signed.
   * @param lo The low 32 bits, unsigned.
   */
  sawZxid(hi: number, lo: number): void {
    if (hi > 0 || (hi === 0 && lo > 0)) {
      this.#lastZxidHi = hi;
      this.#lastZxidLo = lo;
    }
  }

  /**
   * The ConnectRequest of the next connection.
   *
   * @param sessionTimeout The timeout to ask for.
   * @param readOnly Whether a read-only server is accepted.
   * @returns The handshake record.
   */
  handshake(sessionTimeout: number, readOnly: boolean): ConnectRequest {
    return {
      protocolVersion: 0,
      lastZxidSeen: this.lastZxid,
      timeOut: sessionTimeout,
      // A session made on a read-only server is local to it: Java starts a
      // new one (id 0) until it has seen a read-write server.
      sessionId: this.#seenReadWrite ? this.#sessionId : 0n,
      passwd: stringBytes(this.#password),
      readOnly,
    };
  }

  /**
   * Takes the id, password and timeout the server granted.
   *
   * @param response The server's answer to the handshake (a live session).
   * @param warn Told when the granted timeout is lowered.
   */
  adopt(response: ConnectResponse, warn: ((error: Error) => void) | undefined): void {
    this.#sessionId = response.sessionId;
    this.#password = byteString(response.passwd);
    this.#timeout = honoured(response.timeOut, warn);
    if (!response.readOnly) this.#seenReadWrite = true;
  }
}

const NO_PASSWORD = "\0".repeat(16);

// Bytes as a string of as many characters, each a byte's value, and back.
// One fromCharCode call per chunk makes a flat string (appending a character
// at a time would make a rope of them).
function byteString(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return s;
}

function stringBytes(s: string): Uint8Array {
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

// The expiry timer waits 4/3 of the timeout, which a runtime's timer must
// be able to wait: past MAX_TIMER_DELAY it would fire at once and end the
// session at its first disconnection.
function honoured(granted: number, warn: ((error: Error) => void) | undefined): number {
  if (granted <= MAX_SESSION_TIMEOUT) return granted;
  warn?.(
    new RangeError(
      `The server granted a session timeout of ${granted} ms; the client keeps ` +
        `${MAX_SESSION_TIMEOUT} ms, the longest whose expiry margin (4/3 of it) a timer can wait`,
    ),
  );
  return MAX_SESSION_TIMEOUT;
}
