/**
 * The builders of the read requests (exists, getData, getChildren, getACL, getEphemerals, getAllChildrenNumber, whoAmI): each turns validated arguments (the user's path and the server's
 * path, with the chroot) into a {@linkcode Request} with its opcode, body
 * and reply reader, as `zookeeper.jute` pairs them.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-jute/src/main/resources/zookeeper.jute
 * @module
 */

import type { JuteReader } from "../jute/reader.ts";
import type { JuteWriter } from "../jute/writer.ts";
import { ErrorCode, OpCode } from "../protocol/constants.ts";
import { type ACL, type ClientInfo, readStat, type Stat } from "../protocol/records_data.ts";
import {
  readGetACLResponse,
  readGetAllChildrenNumberResponse,
  readGetChildren2Response,
  readGetChildrenResponse,
  readGetEphemeralsResponse,
  readWhoAmIResponse,
  writeGetEphemeralsRequest,
  writePathRequest,
} from "../protocol/records_ops.ts";
import type { Request } from "../session/request_encoder.ts";
import type { DataResult } from "./types.ts";
import type { OnReply } from "./watch_requests.ts";

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
/**
 * Reads a reply that is one Stat (a StatResponse).
 *
 * @param r The reply body.
 * @returns The Stat.
 */
export const decodeStat = (r: JuteReader): Stat => readStat(r);
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
