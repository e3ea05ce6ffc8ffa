/**
 * The server's halves of the jute records: reading requests and writing
 * responses. Only the fake servers and the codec tests need them, so they
 * live here and do not ship. Each mirrors its client half in src/protocol.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-jute/src/main/resources/zookeeper.jute
 * @module
 */

import type { JuteReader } from "../../src/jute/reader.ts";
import type { JuteWriter } from "../../src/jute/writer.ts";
import {
  type ClientInfo,
  readACLVector,
  type Stat,
  writeACLVector,
} from "../../src/protocol/records_data.ts";
import type {
  AddWatchRequest,
  Create2Response,
  CreateRequest,
  CreateTTLRequest,
  DeleteRequest,
  GetACLResponse,
  GetChildren2Response,
  GetDataResponse,
  PathRequest,
  SetACLRequest,
  SetDataRequest,
  WatchRequest,
  WatchTypeRequest,
} from "../../src/protocol/records_ops.ts";
import {
  type AuthPacket,
  type ConnectRequest,
  type ConnectResponse,
  type ErrorResponse,
  readMultiHeader,
  type ReplyHeader,
  type RequestHeader,
  type SetWatches,
  type SetWatches2,
  type WatcherEvent,
  writeMultiHeader,
} from "../../src/protocol/records_session.ts";
import type { MultiOpRecord, MultiResultRecord } from "../../src/protocol/multi.ts";

/** Encodes a {@linkcode Stat}. */
/**
 * A node's Stat with every field zero, and the given ones set: what a fake
 * server answers for a node whose metadata the test does not look at.
 *
 * @param fields The fields that matter to the test.
 * @returns The Stat.
 */
export function zeroStat(fields: Partial<Stat> = {}): Stat {
  return {
    czxid: 0n,
    mzxid: 0n,
    ctime: 0,
    mtime: 0,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    dataLength: 0,
    numChildren: 0,
    pzxid: 0n,
    ...fields,
  };
}

export function writeStat(w: JuteWriter, r: Stat): void {
  w.writeLong(r.czxid);
  w.writeLong(r.mzxid);
  w.writeLong(r.ctime);
  w.writeLong(r.mtime);
  w.writeInt(r.version);
  w.writeInt(r.cversion);
  w.writeInt(r.aversion);
  w.writeLong(r.ephemeralOwner);
  w.writeInt(r.dataLength);
  w.writeInt(r.numChildren);
  w.writeLong(r.pzxid);
}

/** Encodes a {@linkcode ClientInfo}. */
export function writeClientInfo(w: JuteWriter, r: ClientInfo): void {
  w.writeString(r.authScheme);
  w.writeString(r.user);
}

/** Decodes a request of one path. */
export function readPathRequest(r: JuteReader): PathRequest {
  return { path: r.readNonNullString("path") };
}

/** Decodes `GetEphemeralsRequest`. */
export function readGetEphemeralsRequest(
  r: JuteReader,
): { prefixPath: string } {
  return { prefixPath: r.readNonNullString("prefixPath") };
}

/** Decodes a path-and-watch request. */
export function readWatchRequest(r: JuteReader): WatchRequest {
  return { path: r.readNonNullString("path"), watch: r.readBool() };
}

/** Decodes a {@linkcode CreateRequest}. */
export function readCreateRequest(r: JuteReader): CreateRequest {
  return {
    path: r.readNonNullString("path"),
    data: r.readBuffer(),
    acl: readACLVector(r),
    flags: r.readInt(),
  };
}

/** Decodes a {@linkcode CreateTTLRequest}. */
export function readCreateTTLRequest(r: JuteReader): CreateTTLRequest {
  return { ...readCreateRequest(r), ttl: r.readLong() };
}

/** Decodes a {@linkcode DeleteRequest} or a {@linkcode CheckVersionRequest}. */
export function readDeleteRequest(r: JuteReader): DeleteRequest {
  return { path: r.readNonNullString("path"), version: r.readInt() };
}

/** Decodes a {@linkcode SetDataRequest}. */
export function readSetDataRequest(r: JuteReader): SetDataRequest {
  return {
    path: r.readNonNullString("path"),
    data: r.readBuffer(),
    version: r.readInt(),
  };
}

/** Decodes a {@linkcode SetACLRequest}. */
export function readSetACLRequest(r: JuteReader): SetACLRequest {
  return {
    path: r.readNonNullString("path"),
    acl: readACLVector(r),
    version: r.readInt(),
  };
}

/** Decodes an {@linkcode AddWatchRequest}. */
export function readAddWatchRequest(r: JuteReader): AddWatchRequest {
  return { path: r.readNonNullString("path"), mode: r.readInt() };
}

/** Decodes `RemoveWatchesRequest` or `CheckWatchesRequest`. */
export function readWatchTypeRequest(r: JuteReader): WatchTypeRequest {
  return { path: r.readNonNullString("path"), type: r.readInt() };
}

/** Encodes a response of one Stat (`ExistsResponse`, `SetDataResponse`, `SetACLResponse`). */
export function writeStatResponse(w: JuteWriter, r: { stat: Stat }): void {
  writeStat(w, r.stat);
}

/** Encodes a response of one path (`CreateResponse`, `SyncResponse`). */
export function writePathResponse(w: JuteWriter, r: PathRequest): void {
  w.writeString(r.path);
}

/** Encodes a {@linkcode Create2Response}. */
export function writeCreate2Response(w: JuteWriter, r: Create2Response): void {
  w.writeString(r.path);
  writeStat(w, r.stat);
}

/** Encodes a {@linkcode GetDataResponse}. */
export function writeGetDataResponse(w: JuteWriter, r: GetDataResponse): void {
  w.writeBuffer(r.data);
  writeStat(w, r.stat);
}

/** Encodes `GetChildrenResponse`. */
export function writeGetChildrenResponse(
  w: JuteWriter,
  r: { children: string[] },
): void {
  w.writeStringVector(r.children);
}

/** Encodes a {@linkcode GetChildren2Response}. */
export function writeGetChildren2Response(
  w: JuteWriter,
  r: GetChildren2Response,
): void {
  w.writeStringVector(r.children);
  writeStat(w, r.stat);
}

/** Encodes a {@linkcode GetACLResponse}. */
export function writeGetACLResponse(w: JuteWriter, r: GetACLResponse): void {
  writeACLVector(w, r.acl);
  writeStat(w, r.stat);
}

/** Encodes `GetAllChildrenNumberResponse`. */
export function writeGetAllChildrenNumberResponse(
  w: JuteWriter,
  r: { totalNumber: number },
): void {
  w.writeInt(r.totalNumber);
}

/** Encodes `GetEphemeralsResponse`. */
export function writeGetEphemeralsResponse(
  w: JuteWriter,
  r: { ephemerals: string[] },
): void {
  w.writeStringVector(r.ephemerals);
}

/** Encodes `WhoAmIResponse`. */
export function writeWhoAmIResponse(
  w: JuteWriter,
  r: { clientInfo: ClientInfo[] },
): void {
  w.writeVector(r.clientInfo, (c) => writeClientInfo(w, c));
}

/** Decodes a {@linkcode ConnectRequest}; the readOnly byte may be absent. */
export function readConnectRequest(r: JuteReader): ConnectRequest {
  return {
    protocolVersion: r.readInt(),
    lastZxidSeen: r.readLong(),
    timeOut: r.readInt(),
    sessionId: r.readLong(),
    passwd: r.readBuffer() ?? new Uint8Array(0),
    readOnly: r.remaining > 0 ? r.readBool() : false,
  };
}

/** Encodes a {@linkcode ConnectResponse}, with its trailing readOnly byte. */
export function writeConnectResponse(w: JuteWriter, r: ConnectResponse): void {
  w.writeInt(r.protocolVersion);
  w.writeInt(r.timeOut);
  w.writeLong(r.sessionId);
  w.writeBuffer(r.passwd);
  w.writeBool(r.readOnly);
}

/** Decodes a {@linkcode RequestHeader}. */
export function readRequestHeader(r: JuteReader): RequestHeader {
  return { xid: r.readInt(), type: r.readInt() };
}

/** Encodes a {@linkcode ReplyHeader}. */
export function writeReplyHeader(w: JuteWriter, r: ReplyHeader): void {
  w.writeInt(r.xid);
  w.writeLong(r.zxid);
  w.writeInt(r.err);
}

/** Decodes an {@linkcode AuthPacket}. */
export function readAuthPacket(r: JuteReader): AuthPacket {
  return {
    type: r.readInt(),
    scheme: r.readNonNullString("AuthPacket.scheme"),
    auth: r.readBuffer() ?? new Uint8Array(0),
  };
}

/** Encodes a {@linkcode WatcherEvent}. */
export function writeWatcherEvent(w: JuteWriter, r: WatcherEvent): void {
  w.writeInt(r.type);
  w.writeInt(r.state);
  w.writeString(r.path);
}

/** Encodes an {@linkcode ErrorResponse}. */
export function writeErrorResponse(w: JuteWriter, r: ErrorResponse): void {
  w.writeInt(r.err);
}

/** Decodes a {@linkcode SetWatches}. */
export function readSetWatches(r: JuteReader): SetWatches {
  return {
    relativeZxid: r.readLong(),
    dataWatches: r.readStringVector() ?? [],
    existWatches: r.readStringVector() ?? [],
    childWatches: r.readStringVector() ?? [],
  };
}

/** Decodes a {@linkcode SetWatches2}. */
export function readSetWatches2(r: JuteReader): SetWatches2 {
  return {
    ...readSetWatches(r),
    persistentWatches: r.readStringVector() ?? [],
    persistentRecursiveWatches: r.readStringVector() ?? [],
  };
}

/** Decodes the body of a multi or multiRead request. */
export function readMultiRequest(r: JuteReader): MultiOpRecord[] {
  const ops: MultiOpRecord[] = [];
  for (let h = readMultiHeader(r); !h.done; h = readMultiHeader(r)) {
    switch (h.type) {
      case 1:
      case 15:
      case 19:
        ops.push({ type: h.type, body: readCreateRequest(r) });
        break;
      case 21:
        ops.push({ type: h.type, body: readCreateTTLRequest(r) });
        break;
      case 2:
      case 13:
        ops.push({ type: h.type, body: readDeleteRequest(r) });
        break;
      case 5:
        ops.push({ type: h.type, body: readSetDataRequest(r) });
        break;
      case 4:
      case 8:
        ops.push({ type: h.type, body: readWatchRequest(r) });
        break;
      default:
        throw new RangeError(
          `Unknown operation type ${h.type} in a multi request`,
        );
    }
  }
  return ops;
}

/** Encodes the body of a multi or multiRead response. */
export function writeMultiResponse(
  w: JuteWriter,
  results: readonly MultiResultRecord[],
): void {
  for (const res of results) {
    writeMultiHeader(w, { type: res.type, done: false, err: res.err });
    switch (res.type) {
      case 1:
        writePathResponse(w, res.body);
        break;
      case 15:
        writeCreate2Response(w, res.body);
        break;
      case 5:
        writeStatResponse(w, res.body);
        break;
      case -1:
        w.writeInt(res.body.err);
        break;
      case 4:
        writeGetDataResponse(w, res.body);
        break;
      case 8:
        writeGetChildrenResponse(w, res.body);
        break;
    }
  }
  writeMultiHeader(w, { type: -1, done: true, err: -1 });
}
