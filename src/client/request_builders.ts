/**
 * One builder per operation: each turns validated arguments (the user's path
 * and the server's path, with the chroot) into a {@linkcode Request} with its
 * opcode, body and reply reader, as `zookeeper.jute` pairs them.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-jute/src/main/resources/zookeeper.jute
 * @module
 */

import type { JuteReader } from "../jute/reader.ts";
import type { JuteWriter } from "../jute/writer.ts";
import { ErrorCode, OpCode } from "../protocol/constants.ts";
import { type MultiResultRecord, readMultiResponse } from "../protocol/multi.ts";
import { type ACL, type ClientInfo, readStat, type Stat } from "../protocol/records_data.ts";
import {
  readCreate2Response,
  readGetACLResponse,
  readGetAllChildrenNumberResponse,
  readGetChildren2Response,
  readGetChildrenResponse,
  readGetEphemeralsResponse,
  readPathResponse,
  readStatResponse,
  readWhoAmIResponse,
  writeAddWatchRequest,
  writeCreateRequest,
  writeCreateTTLRequest,
  writeDeleteRequest,
  writeGetEphemeralsRequest,
  writePathRequest,
  writeSetACLRequest,
  writeWatchTypeRequest,
} from "../protocol/records_ops.ts";
import type { Request } from "../session/request_encoder.ts";
import type { CreateModeSpec } from "./create_mode.ts";
import type { DataResult } from "./types.ts";

/** Called with a reply's error code before its promise settles. */
export type OnReply = ((err: number) => void) | undefined;

/** The fields of a create. */
export interface CreateArgs {
  /** The data, already converted and size-checked. */
  data: Uint8Array;
  /** The ACL. */
  acl: ACL[];
  /** The mode. */
  mode: CreateModeSpec;
  /** The TTL, for TTL modes. */
  ttl: number | undefined;
}

/**
 * create2, createTTL or createContainer, as the mode says.
 *
 * @param path The user's path.
 * @param serverPath The path on the server.
 * @param args Data, ACL, mode and TTL.
 * @param strip Removes the chroot from the path created.
 * @returns The request.
 */
export function createRequest(
  path: string,
  serverPath: string,
  args: CreateArgs,
  strip: (path: string) => string,
): Request<{ path: string; stat: Stat }> {
  const body = { path: serverPath, data: args.data, acl: args.acl, flags: args.mode.flags };
  const ttl = args.ttl;
  return {
    opcode: args.mode.opcode,
    verb: "create",
    path,
    encode: ttl === undefined
      ? (w) => writeCreateRequest(w, body)
      : (w) => writeCreateTTLRequest(w, { ...body, ttl }),
    decode: (r) => {
      const res = readCreate2Response(r);
      return { path: strip(res.path), stat: res.stat };
    },
  };
}

/**
 * delete.
 *
 * @param path The user's path.
 * @param serverPath The path on the server.
 * @param version The version it must have, or -1.
 * @returns The request.
 */
export function deleteRequest(path: string, serverPath: string, version: number): Request<void> {
  return {
    opcode: OpCode.delete,
    verb: "delete",
    path,
    encode: (w) => writeDeleteRequest(w, { path: serverPath, version }),
  };
}

// A read that may leave a watch: the body's fields ride on the request, and
// one shared encoder writes them (the request is its `this`), so a read costs
// no closure and no body object.
interface WatchReadRequest<T> extends Request<T> {
  readonly serverPath: string;
  readonly watch: boolean;
}

// ExistsRequest, GetDataRequest, GetChildrenRequest, GetChildren2Request:
// `path` then `watch`, as writeWatchRequest writes them.
function encodeWatchRead(this: WatchReadRequest<unknown>, w: JuteWriter): void {
  w.writeString(this.serverPath);
  w.writeBool(this.watch);
}

function watchRequest<T>(
  opcode: number,
  verb: string,
  path: string,
  serverPath: string,
  onReply: OnReply,
  decode: (r: JuteReader) => T,
  nullOn?: number,
): Request<T> {
  // One literal with every field: read requests are the hottest path, and a
  // spread into a second object costs more than the request's encoding.
  const request: WatchReadRequest<T> = {
    opcode,
    verb,
    path,
    serverPath,
    watch: onReply !== undefined,
    encode: encodeWatchRead,
    decode,
    onReply,
    nullOn,
  };
  return request;
}

const LIST = "list children of";
// A StatResponse is one Stat; a GetDataResponse is data then a Stat, and the
// reader's buffer is a copy already, not a view of the read buffer.
const decodeStat = (r: JuteReader): Stat => readStat(r);
const decodeChildren = (r: JuteReader): string[] => readGetChildrenResponse(r).children;
const decodeData = (r: JuteReader): DataResult => {
  const data = r.readBuffer() ?? new Uint8Array(0);
  return { data, stat: readStat(r) };
};

/**
 * exists; a watch is asked for when `onReply` is given.
 *
 * @param path The user's path.
 * @param serverPath The path on the server.
 * @param onReply Registers the watch.
 * @returns The request.
 */
export function existsRequest(
  path: string,
  serverPath: string,
  onReply: OnReply,
): Request<Stat | null> {
  return watchRequest<Stat | null>(
    OpCode.exists,
    "check",
    path,
    serverPath,
    onReply,
    decodeStat,
    ErrorCode.NONODE,
  );
}

/**
 * getData; a watch is asked for when `onReply` is given.
 *
 * @param path The user's path.
 * @param serverPath The path on the server.
 * @param onReply Registers the watch.
 * @returns The request.
 */
export function getDataRequest(
  path: string,
  serverPath: string,
  onReply: OnReply,
): Request<DataResult> {
  return watchRequest(OpCode.getData, "read", path, serverPath, onReply, decodeData);
}

/**
 * setData.
 *
 * @param path The user's path.
 * @param serverPath The path on the server.
 * @param data The new data, already converted and size-checked.
 * @param version The version it must have, or -1.
 * @returns The request.
 */
export function setDataRequest(
  path: string,
  serverPath: string,
  data: Uint8Array,
  version: number,
): Request<Stat> {
  const request: SetDataRequest = {
    opcode: OpCode.setData,
    verb: "write",
    path,
    serverPath,
    data,
    version,
    encode: encodeSetData,
    decode: decodeStat,
  };
  return request;
}

interface SetDataRequest extends Request<Stat> {
  readonly serverPath: string;
  readonly data: Uint8Array;
  readonly version: number;
}

// SetDataRequest: path, data, version, as writeSetDataRequest writes them.
function encodeSetData(this: SetDataRequest, w: JuteWriter): void {
  w.writeString(this.serverPath);
  w.writeBuffer(this.data);
  w.writeInt(this.version);
}

/**
 * getChildren; a watch is asked for when `onReply` is given.
 *
 * @param path The user's path.
 * @param serverPath The path on the server.
 * @param onReply Registers the watch.
 * @returns The request.
 */
export function getChildrenRequest(
  path: string,
  serverPath: string,
  onReply: OnReply,
): Request<string[]> {
  return watchRequest(OpCode.getChildren, LIST, path, serverPath, onReply, decodeChildren);
}

/**
 * getChildren2; a watch is asked for when `onReply` is given.
 *
 * @param path The user's path.
 * @param serverPath The path on the server.
 * @param onReply Registers the watch.
 * @returns The request.
 */
export function getChildren2Request(
  path: string,
  serverPath: string,
  onReply: OnReply,
): Request<{ children: string[]; stat: Stat }> {
  return watchRequest(
    OpCode.getChildren2,
    LIST,
    path,
    serverPath,
    onReply,
    readGetChildren2Response,
  );
}

/**
 * getACL.
 *
 * @param path The user's path.
 * @param serverPath The path on the server.
 * @returns The request.
 */
export function getACLRequest(
  path: string,
  serverPath: string,
): Request<{ acl: ACL[]; stat: Stat }> {
  return {
    opcode: OpCode.getACL,
    verb: "read the ACL of",
    path,
    encode: (w) => writePathRequest(w, { path: serverPath }),
    decode: readGetACLResponse,
  };
}

/**
 * setACL.
 *
 * @param path The user's path.
 * @param serverPath The path on the server.
 * @param acl The new ACL.
 * @param version The ACL version it must have, or -1.
 * @returns The request.
 */
export function setACLRequest(
  path: string,
  serverPath: string,
  acl: ACL[],
  version: number,
): Request<Stat> {
  return {
    opcode: OpCode.setACL,
    verb: "set the ACL of",
    path,
    encode: (w) => writeSetACLRequest(w, { path: serverPath, acl, version }),
    decode: (r) => readStatResponse(r).stat,
  };
}

/**
 * sync.
 *
 * @param path The user's path.
 * @param serverPath The path on the server.
 * @returns The request.
 */
export function syncRequest(path: string, serverPath: string): Request<unknown> {
  return {
    opcode: OpCode.sync,
    verb: "sync",
    path,
    encode: (w) => writePathRequest(w, { path: serverPath }),
    decode: readPathResponse,
  };
}

/**
 * multi or multiRead, with a body built by `buildMultiRequest`.
 *
 * @param opcode `OpCode.multi` or `OpCode.multiRead`.
 * @param body The encoded operations and their size.
 * @returns The request.
 */
export function multiRequest(
  opcode: number,
  body: { encode(w: JuteWriter): void },
): Request<MultiResultRecord[]> {
  return {
    opcode,
    verb: opcode === OpCode.multi ? "commit transaction" : "read",
    encode: body.encode,
    decode: readMultiResponse,
  };
}

/**
 * getEphemerals.
 *
 * @param prefix The user's prefix.
 * @param serverPrefix The prefix on the server.
 * @param strip Removes the chroot from each path.
 * @returns The request.
 */
export function getEphemeralsRequest(
  prefix: string,
  serverPrefix: string,
  strip: (path: string) => string,
): Request<string[]> {
  return {
    opcode: OpCode.getEphemerals,
    verb: "list ephemerals under",
    path: prefix,
    encode: (w) => writeGetEphemeralsRequest(w, { prefixPath: serverPrefix }),
    decode: (r) => readGetEphemeralsResponse(r).ephemerals.map(strip),
  };
}

/**
 * getAllChildrenNumber.
 *
 * @param path The user's path.
 * @param serverPath The path on the server.
 * @returns The request.
 */
export function getAllChildrenNumberRequest(path: string, serverPath: string): Request<number> {
  return {
    opcode: OpCode.getAllChildrenNumber,
    verb: "count descendants of",
    path,
    encode: (w) => writePathRequest(w, { path: serverPath }),
    decode: (r) => readGetAllChildrenNumberResponse(r).totalNumber,
  };
}

/** whoAmI (ZooKeeper 3.9+). */
export const WHO_AM_I: Request<ClientInfo[]> = {
  opcode: OpCode.whoAmI,
  verb: "ask who I am",
  decode: (r) => readWhoAmIResponse(r).clientInfo,
};

/**
 * addWatch.
 *
 * @param path The user's path.
 * @param serverPath The path on the server.
 * @param mode `AddWatchMode` value.
 * @param onReply Registers the watch.
 * @returns The request.
 */
export function addWatchRequest(
  path: string,
  serverPath: string,
  mode: number,
  onReply: OnReply,
): Request<void> {
  return {
    opcode: OpCode.addWatch,
    verb: "watch",
    path,
    encode: (w) => writeAddWatchRequest(w, { path: serverPath, mode }),
    onReply,
  };
}

/**
 * removeWatches.
 *
 * @param path The user's path.
 * @param serverPath The path on the server.
 * @param type `WatcherType` value.
 * @returns The request.
 */
export function removeWatchesRequest(
  path: string,
  serverPath: string,
  type: number,
): Request<void> {
  return {
    opcode: OpCode.removeWatches,
    verb: "remove watches on",
    path,
    encode: (w) => writeWatchTypeRequest(w, { path: serverPath, type }),
  };
}
