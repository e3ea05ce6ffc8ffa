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
  acl: readonly ACL[];
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

/** Encodes `GetEphemeralsRequest`, whose one field is named `prefixPath`. */
export function writeGetEphemeralsRequest(
  w: JuteWriter,
  r: { prefixPath: string },
): void {
  w.writeString(r.prefixPath);
}

/** Encodes `ExistsRequest`, `GetDataRequest`, `GetChildrenRequest` or `GetChildren2Request`. */
export function writeWatchRequest(w: JuteWriter, r: WatchRequest): void {
  w.writeString(r.path);
  w.writeBool(r.watch);
}

/** Encodes a {@linkcode CreateRequest}. */
export function writeCreateRequest(w: JuteWriter, r: CreateRequest): void {
  w.writeString(r.path);
  w.writeBuffer(r.data);
  writeACLVector(w, r.acl);
  w.writeInt(r.flags);
}

/** Encodes a {@linkcode CreateTTLRequest}. */
export function writeCreateTTLRequest(
  w: JuteWriter,
  r: CreateTTLRequest,
): void {
  writeCreateRequest(w, r);
  w.writeLong(r.ttl);
}

/** Encodes a {@linkcode DeleteRequest} or a {@linkcode CheckVersionRequest}. */
export function writeDeleteRequest(w: JuteWriter, r: DeleteRequest): void {
  w.writeString(r.path);
  w.writeInt(r.version);
}

/** Encodes a {@linkcode SetDataRequest}. */
export function writeSetDataRequest(w: JuteWriter, r: SetDataRequest): void {
  w.writeString(r.path);
  w.writeBuffer(r.data);
  w.writeInt(r.version);
}

/** Encodes a {@linkcode SetACLRequest}. */
export function writeSetACLRequest(w: JuteWriter, r: SetACLRequest): void {
  w.writeString(r.path);
  writeACLVector(w, r.acl);
  w.writeInt(r.version);
}

/** Encodes an {@linkcode AddWatchRequest}. */
export function writeAddWatchRequest(w: JuteWriter, r: AddWatchRequest): void {
  w.writeString(r.path);
  w.writeInt(r.mode);
}

/** Encodes `RemoveWatchesRequest` or `CheckWatchesRequest`. */
export function writeWatchTypeRequest(
  w: JuteWriter,
  r: WatchTypeRequest,
): void {
  w.writeString(r.path);
  w.writeInt(r.type);
}

/** Decodes a response of one Stat. */
export function readStatResponse(r: JuteReader): { stat: Stat } {
  return { stat: readStat(r) };
}

/** Decodes a response of one path. */
export function readPathResponse(r: JuteReader): PathRequest {
  return { path: r.readNonNullString("path") };
}

/** Decodes a {@linkcode Create2Response}. */
export function readCreate2Response(r: JuteReader): Create2Response {
  return { path: r.readNonNullString("path"), stat: readStat(r) };
}

/** Decodes a {@linkcode GetDataResponse}. */
export function readGetDataResponse(r: JuteReader): GetDataResponse {
  return { data: r.readBuffer(), stat: readStat(r) };
}

/** Decodes `GetChildrenResponse`. */
export function readGetChildrenResponse(r: JuteReader): { children: string[] } {
  return { children: r.readStringVector() ?? [] };
}

/** Decodes a {@linkcode GetChildren2Response}. */
export function readGetChildren2Response(r: JuteReader): GetChildren2Response {
  return { children: r.readStringVector() ?? [], stat: readStat(r) };
}

/** Decodes a {@linkcode GetACLResponse}. */
export function readGetACLResponse(r: JuteReader): GetACLResponse {
  return { acl: readACLVector(r), stat: readStat(r) };
}

/** Decodes `GetAllChildrenNumberResponse`. */
export function readGetAllChildrenNumberResponse(
  r: JuteReader,
): { totalNumber: number } {
  return { totalNumber: r.readInt() };
}

/** Decodes `GetEphemeralsResponse`. */
export function readGetEphemeralsResponse(
  r: JuteReader,
): { ephemerals: string[] } {
  return { ephemerals: r.readStringVector() ?? [] };
}

/** Decodes `WhoAmIResponse`. */
export function readWhoAmIResponse(
  r: JuteReader,
): { clientInfo: ClientInfo[] } {
  return { clientInfo: r.readVector(() => readClientInfo(r), 8) ?? [] };
}
