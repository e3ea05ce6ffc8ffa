/**
 * The records of `zookeeper.jute` for authentication and membership: the
 * SASL token exchange (`GetSASLRequest`, `SetSASLResponse`) and
 * `ReconfigRequest`, whose reply is a `GetDataResponse`.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-jute/src/main/resources/zookeeper.jute
 * @module
 */

import type { JuteReader } from "../jute/reader.ts";
import type { JuteWriter } from "../jute/writer.ts";

/**
 * Encodes `GetSASLRequest`: the client's next SASL token.
 *
 * @param w The writer.
 * @param token The token (empty to start DIGEST-MD5).
 */
export function writeSaslRequest(w: JuteWriter, token: Uint8Array): void {
  w.writeBuffer(token);
}

/**
 * Decodes `SetSASLResponse`: the server's next SASL token.
 *
 * @param r The reader.
 * @returns The token, empty when the server sent none.
 */
export function readSaslResponse(r: JuteReader): Uint8Array {
  return r.readBuffer() ?? new Uint8Array(0);
}

/** `ReconfigRequest`: the change of membership asked for. */
export interface ReconfigRequest {
  /** Servers to add, comma separated `server.N=...` specs, or `null`. */
  joiningServers: string | null;
  /** Ids of the servers to remove, comma separated, or `null`. */
  leavingServers: string | null;
  /** The whole new membership (non-incremental), or `null`. */
  newMembers: string | null;
  /** The config version the change applies to, `-1` for any. */
  curConfigId: bigint;
}

/**
 * Encodes `ReconfigRequest`.
 *
 * @param w The writer.
 * @param req The request.
 */
export function writeReconfigRequest(w: JuteWriter, req: ReconfigRequest): void {
  w.writeString(req.joiningServers);
  w.writeString(req.leavingServers);
  w.writeString(req.newMembers);
  w.writeLong(req.curConfigId);
}
