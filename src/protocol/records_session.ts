/**
 * The records of `zookeeper.jute` that frame a session rather than an
 * operation: the handshake, request and reply headers, auth, watch events,
 * and watch re-registration.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-jute/src/main/resources/zookeeper.jute
 * @module
 */

import type { JuteReader } from "../jute/reader.ts";
import type { JuteWriter } from "../jute/writer.ts";

/** The first frame a client sends on a new connection. */
export interface ConnectRequest {
  protocolVersion: number;
  lastZxidSeen: bigint;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array;
  /** Sent always: `ClientCnxn` writes it after the jute record. */
  readOnly: boolean;
}

/** The server's answer to a {@linkcode ConnectRequest}. */
export interface ConnectResponse {
  protocolVersion: number;
  /** The negotiated session timeout; `<= 0` means the session expired. */
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array;
  /** Absent from servers older than 3.4, then `false`. */
  readOnly: boolean;
}

/** The header of every request after the handshake. */
export interface RequestHeader {
  xid: number;
  type: number;
}

/** The header of every reply and notification. */
export interface ReplyHeader {
  xid: number;
  zxid: bigint;
  err: number;
}

/** The header before each operation and result of a multi. */
export interface MultiHeader {
  type: number;
  done: boolean;
  err: number;
}

/** Credentials sent with `addAuth`. */
export interface AuthPacket {
  type: number;
  scheme: string;
  auth: Uint8Array;
}

/** A watch notification as the server sends it. */
export interface WatcherEvent {
  type: number;
  state: number;
  path: string;
}

/** A bare error code, the body of failed multi results. */
export interface ErrorResponse {
  err: number;
}

/** Re-registration of one-shot watches after a reconnect. */
export interface SetWatches {
  relativeZxid: bigint;
  dataWatches: string[];
  existWatches: string[];
  childWatches: string[];
}

/** Re-registration of one-shot and persistent watches (ZooKeeper 3.6+). */
export interface SetWatches2 extends SetWatches {
  persistentWatches: string[];
  persistentRecursiveWatches: string[];
}

/** Encodes a {@linkcode ConnectRequest}, with its trailing readOnly byte. */
export function writeConnectRequest(w: JuteWriter, r: ConnectRequest): void {
  w.writeInt(r.protocolVersion);
  w.writeLong(r.lastZxidSeen);
  w.writeInt(r.timeOut);
  w.writeLong(r.sessionId);
  w.writeBuffer(r.passwd);
  w.writeBool(r.readOnly);
}

/** Decodes a {@linkcode ConnectResponse}; the readOnly byte may be absent. */
export function readConnectResponse(r: JuteReader): ConnectResponse {
  return {
    protocolVersion: r.readInt(),
    timeOut: r.readInt(),
    sessionId: r.readLong(),
    passwd: r.readBuffer() ?? new Uint8Array(0),
    readOnly: r.remaining > 0 ? r.readBool() : false,
  };
}

/**
 * Encodes a {@linkcode RequestHeader}: the xid, then the opcode. Every request
 * frame the session sends starts with it; taking the two fields as numbers
 * keeps a header object out of each request.
 *
 * @param w The writer.
 * @param xid The xid (`0` in a frame whose xid is set once it is queued).
 * @param type The opcode.
 */
export function writeRequestHeader(w: JuteWriter, xid: number, type: number): void {
  w.writeInt(xid);
  w.writeInt(type);
}

/** Decodes a {@linkcode ReplyHeader}. */
export function readReplyHeader(r: JuteReader): ReplyHeader {
  return { xid: r.readInt(), zxid: r.readLong(), err: r.readInt() };
}

/** Encodes a {@linkcode MultiHeader}. */
export function writeMultiHeader(w: JuteWriter, r: MultiHeader): void {
  w.writeInt(r.type);
  w.writeBool(r.done);
  w.writeInt(r.err);
}

/** Decodes a {@linkcode MultiHeader}. */
export function readMultiHeader(r: JuteReader): MultiHeader {
  return { type: r.readInt(), done: r.readBool(), err: r.readInt() };
}

/** Encodes an {@linkcode AuthPacket}. */
export function writeAuthPacket(w: JuteWriter, r: AuthPacket): void {
  w.writeInt(r.type);
  w.writeString(r.scheme);
  w.writeBuffer(r.auth);
}

/** Decodes a {@linkcode WatcherEvent}; a null path (session events) is `""`. */
export function readWatcherEvent(r: JuteReader): WatcherEvent {
  return { type: r.readInt(), state: r.readInt(), path: r.readString() ?? "" };
}

/** Decodes an {@linkcode ErrorResponse}. */
export function readErrorResponse(r: JuteReader): ErrorResponse {
  return { err: r.readInt() };
}

/** Encodes a {@linkcode SetWatches}. */
export function writeSetWatches(w: JuteWriter, r: SetWatches): void {
  w.writeLong(r.relativeZxid);
  w.writeStringVector(r.dataWatches);
  w.writeStringVector(r.existWatches);
  w.writeStringVector(r.childWatches);
}

/** Encodes a {@linkcode SetWatches2}. */
export function writeSetWatches2(w: JuteWriter, r: SetWatches2): void {
  writeSetWatches(w, r);
  w.writeStringVector(r.persistentWatches);
  w.writeStringVector(r.persistentRecursiveWatches);
}
