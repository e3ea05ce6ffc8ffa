/**
 * The request and response records of `zookeeper.jute` for single
 * operations, one encode/decode pair each.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-jute/src/main/resources/zookeeper.jute
 * @module
 */

import type { JuteReader } from "../jute/reader.ts";
import type { JuteWriter } from "../jute/writer.ts";
import {
  type ACL,
  type ClientInfo,
  readACLVector,
  readClientInfo,
  readStat,
  type Stat,
  writeACLVector,
  writeClientInfo,
  writeStat,
} from "./records_data.ts";

/** A request naming only a path: sync, getACL, getAllChildrenNumber, getEphemerals. */
export interface PathRequest {
  path: string;
}

/** A read that may leave a watch: exists, getData, getChildren, getChildren2. */
export interface WatchRequest {
  path: string;
  watch: boolean;
}

/** Create request (create, create2, createContainer). */
export interface CreateRequest {
  path: string;
  data: Uint8Array | null;
  acl: ACL[];
  flags: number;
}

/** Create request for TTL nodes (createTTL). */
export interface CreateTTLRequest extends CreateRequest {
  ttl: bigint | number;
}

/** Delete request. */
export interface DeleteRequest {
  path: string;
  version: number;
}

/** SetData request. */
export interface SetDataRequest {
  path: string;
  data: Uint8Array | null;
  version: number;
}

/** Version check inside a multi. */
export interface CheckVersionRequest {
  path: string;
  version: number;
}

/** SetACL request. */
export interface SetACLRequest {
  path: string;
  acl: ACL[];
  version: number;
}

/** addWatch request: mode 0 persistent, 1 persistent recursive. */
export interface AddWatchRequest {
  path: string;
  mode: number;
}

/** removeWatches and checkWatches requests. */
export interface WatchTypeRequest {
  path: string;
  type: number;
}

/** getData response. */
export interface GetDataResponse {
  data: Uint8Array | null;
  stat: Stat;
}

/** getACL response. */
export interface GetACLResponse {
  acl: ACL[];
  stat: Stat;
}

/** create2 response. */
export interface Create2Response {
  path: string;
  stat: Stat;
}

/** getChildren2 response. */
export interface GetChildren2Response {
  children: string[];
  stat: Stat;
}

/** Encodes a request of one path (`SyncRequest`, `GetACLRequest`, `GetAllChildrenNumberRequest`). */
export function writePathRequest(w: JuteWriter, r: PathRequest): void {
  w.writeString(r.path);
}

/** Decodes a request of one path. */
export function readPathRequest(r: JuteReader): PathRequest {
  return { path: r.readNonNullString("path") };
}

/** Encodes `GetEphemeralsRequest`, whose one field is named `prefixPath`. */
export function writeGetEphemeralsRequest(
  w: JuteWriter,
  r: { prefixPath: string },
): void {
  w.writeString(r.prefixPath);
}

/** Decodes `GetEphemeralsRequest`. */
export function readGetEphemeralsRequest(
  r: JuteReader,
): { prefixPath: string } {
  return { prefixPath: r.readNonNullString("prefixPath") };
}

/** Encodes `ExistsRequest`, `GetDataRequest`, `GetChildrenRequest` or `GetChildren2Request`. */
export function writeWatchRequest(w: JuteWriter, r: WatchRequest): void {
  w.writeString(r.path);
  w.writeBool(r.watch);
}

/** Decodes a path-and-watch request. */
export function readWatchRequest(r: JuteReader): WatchRequest {
  return { path: r.readNonNullString("path"), watch: r.readBool() };
}

/** Encodes a {@linkcode CreateRequest}. */
export function writeCreateRequest(w: JuteWriter, r: CreateRequest): void {
  w.writeString(r.path);
  w.writeBuffer(r.data);
  writeACLVector(w, r.acl);
  w.writeInt(r.flags);
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

/** Encodes a {@linkcode CreateTTLRequest}. */
export function writeCreateTTLRequest(
  w: JuteWriter,
  r: CreateTTLRequest,
): void {
  writeCreateRequest(w, r);
  w.writeLong(r.ttl);
}

/** Decodes a {@linkcode CreateTTLRequest}. */
export function readCreateTTLRequest(r: JuteReader): CreateTTLRequest {
  return { ...readCreateRequest(r), ttl: r.readLong() };
}

/** Encodes a {@linkcode DeleteRequest} or a {@linkcode CheckVersionRequest}. */
export function writeDeleteRequest(w: JuteWriter, r: DeleteRequest): void {
  w.writeString(r.path);
  w.writeInt(r.version);
}

/** Decodes a {@linkcode DeleteRequest} or a {@linkcode CheckVersionRequest}. */
export function readDeleteRequest(r: JuteReader): DeleteRequest {
  return { path: r.readNonNullString("path"), version: r.readInt() };
}

/** Encodes a {@linkcode SetDataRequest}. */
export function writeSetDataRequest(w: JuteWriter, r: SetDataRequest): void {
  w.writeString(r.path);
  w.writeBuffer(r.data);
  w.writeInt(r.version);
}

/** Decodes a {@linkcode SetDataRequest}. */
export function readSetDataRequest(r: JuteReader): SetDataRequest {
  return {
    path: r.readNonNullString("path"),
    data: r.readBuffer(),
    version: r.readInt(),
  };
}

/** Encodes a {@linkcode SetACLRequest}. */
export function writeSetACLRequest(w: JuteWriter, r: SetACLRequest): void {
  w.writeString(r.path);
  writeACLVector(w, r.acl);
  w.writeInt(r.version);
}

/** Decodes a {@linkcode SetACLRequest}. */
export function readSetACLRequest(r: JuteReader): SetACLRequest {
  return {
    path: r.readNonNullString("path"),
    acl: readACLVector(r),
    version: r.readInt(),
  };
}

/** Encodes an {@linkcode AddWatchRequest}. */
export function writeAddWatchRequest(w: JuteWriter, r: AddWatchRequest): void {
  w.writeString(r.path);
  w.writeInt(r.mode);
}

/** Decodes an {@linkcode AddWatchRequest}. */
export function readAddWatchRequest(r: JuteReader): AddWatchRequest {
  return { path: r.readNonNullString("path"), mode: r.readInt() };
}

/** Encodes `RemoveWatchesRequest` or `CheckWatchesRequest`. */
export function writeWatchTypeRequest(
  w: JuteWriter,
  r: WatchTypeRequest,
): void {
  w.writeString(r.path);
  w.writeInt(r.type);
}

/** Decodes `RemoveWatchesRequest` or `CheckWatchesRequest`. */
export function readWatchTypeRequest(r: JuteReader): WatchTypeRequest {
  return { path: r.readNonNullString("path"), type: r.readInt() };
}

/** Encodes a response of one Stat (`ExistsResponse`, `SetDataResponse`, `SetACLResponse`). */
export function writeStatResponse(w: JuteWriter, r: { stat: Stat }): void {
  writeStat(w, r.stat);
}

/** Decodes a response of one Stat. */
export function readStatResponse(r: JuteReader): { stat: Stat } {
  return { stat: readStat(r) };
}

/** Encodes a response of one path (`CreateResponse`, `SyncResponse`). */
export function writePathResponse(w: JuteWriter, r: PathRequest): void {
  w.writeString(r.path);
}

/** Decodes a response of one path. */
export function readPathResponse(r: JuteReader): PathRequest {
  return { path: r.readNonNullString("path") };
}

/** Encodes a {@linkcode Create2Response}. */
export function writeCreate2Response(w: JuteWriter, r: Create2Response): void {
  w.writeString(r.path);
  writeStat(w, r.stat);
}

/** Decodes a {@linkcode Create2Response}. */
export function readCreate2Response(r: JuteReader): Create2Response {
  return { path: r.readNonNullString("path"), stat: readStat(r) };
}

/** Encodes a {@linkcode GetDataResponse}. */
export function writeGetDataResponse(w: JuteWriter, r: GetDataResponse): void {
  w.writeBuffer(r.data);
  writeStat(w, r.stat);
}

/** Decodes a {@linkcode GetDataResponse}. */
export function readGetDataResponse(r: JuteReader): GetDataResponse {
  return { data: r.readBuffer(), stat: readStat(r) };
}

/** Encodes `GetChildrenResponse`. */
export function writeGetChildrenResponse(
  w: JuteWriter,
  r: { children: string[] },
): void {
  w.writeStringVector(r.children);
}

/** Decodes `GetChildrenResponse`. */
export function readGetChildrenResponse(r: JuteReader): { children: string[] } {
  return { children: r.readStringVector() ?? [] };
}

/** Encodes a {@linkcode GetChildren2Response}. */
export function writeGetChildren2Response(
  w: JuteWriter,
  r: GetChildren2Response,
): void {
  w.writeStringVector(r.children);
  writeStat(w, r.stat);
}

/** Decodes a {@linkcode GetChildren2Response}. */
export function readGetChildren2Response(r: JuteReader): GetChildren2Response {
  return { children: r.readStringVector() ?? [], stat: readStat(r) };
}

/** Encodes a {@linkcode GetACLResponse}. */
export function writeGetACLResponse(w: JuteWriter, r: GetACLResponse): void {
  writeACLVector(w, r.acl);
  writeStat(w, r.stat);
}

/** Decodes a {@linkcode GetACLResponse}. */
export function readGetACLResponse(r: JuteReader): GetACLResponse {
  return { acl: readACLVector(r), stat: readStat(r) };
}

/** Encodes `GetAllChildrenNumberResponse`. */
export function writeGetAllChildrenNumberResponse(
  w: JuteWriter,
  r: { totalNumber: number },
): void {
  w.writeInt(r.totalNumber);
}

/** Decodes `GetAllChildrenNumberResponse`. */
export function readGetAllChildrenNumberResponse(
  r: JuteReader,
): { totalNumber: number } {
  return { totalNumber: r.readInt() };
}

/** Encodes `GetEphemeralsResponse`. */
export function writeGetEphemeralsResponse(
  w: JuteWriter,
  r: { ephemerals: string[] },
): void {
  w.writeStringVector(r.ephemerals);
}

/** Decodes `GetEphemeralsResponse`. */
export function readGetEphemeralsResponse(
  r: JuteReader,
): { ephemerals: string[] } {
  return { ephemerals: r.readStringVector() ?? [] };
}

/** Encodes `WhoAmIResponse`. */
export function writeWhoAmIResponse(
  w: JuteWriter,
  r: { clientInfo: ClientInfo[] },
): void {
  w.writeVector(r.clientInfo, (c) => writeClientInfo(w, c));
}

/** Decodes `WhoAmIResponse`. */
export function readWhoAmIResponse(
  r: JuteReader,
): { clientInfo: ClientInfo[] } {
  return { clientInfo: r.readVector(() => readClientInfo(r), 8) ?? [] };
}
