/**
 * The builders of the write requests (create, delete, setData, setACL, sync, multi): each turns validated arguments (the user's path and the server's
 * path, with the chroot) into a {@linkcode Request} with its opcode, body
 * and reply reader, as `zookeeper.jute` pairs them.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-jute/src/main/resources/zookeeper.jute
 * @module
 */

import type { JuteReader } from "../jute/reader.ts";
import type { JuteWriter } from "../jute/writer.ts";
import { OpCode } from "../protocol/constants.ts";
import { type MultiResultRecord, readMultiResponse } from "../protocol/multi.ts";
import { type ACL, type Stat, writeACLVector } from "../protocol/records_data.ts";
import {
  readCreate2Response,
  readPathResponse,
  readStatResponse,
  writePathRequest,
  writeSetACLRequest,
} from "../protocol/records_ops.ts";
import type { Request } from "../session/request_encoder.ts";
import type { WireData } from "./arguments.ts";
import type { Chroot } from "./chroot.ts";
import type { CreateArgs } from "./create_args.ts";
import { decodeStat } from "./read_requests.ts";

/**
 * create, create2, createTTL or createContainer: the last two as the mode
 * says; otherwise create2 when the Stat is wanted and create, whose reply is
 * the path alone, when it is not (as the Java client does).
 *
 * @param path The user's path.
 * @param args The path on the server, data, ACL, mode and TTL.
 * @param paths Removes the chroot from the path created.
 * @param withStat Whether the reply is the path and the new node's Stat
 *   (`createWithStat`) or the path alone (`create`).
 * @returns The request.
 */
export function createRequest(
  path: string,
  args: CreateArgs,
  paths: Chroot,
  withStat: boolean,
): Request<unknown> {
  // Without a chroot the reply's path is the user's: the readers are shared,
  // and the request is one object with its body's fields.
  const plain = paths.chroot === "";
  const opcode = args.mode.opcode === OpCode.create2 && !withStat
    ? OpCode.create
    : args.mode.opcode;
  const request: CreateRequest = {
    opcode,
    verb: "create",
    path,
    serverPath: args.serverPath,
    data: args.data,
    acl: args.acl,
    flags: args.mode.flags,
    ttl: args.ttl,
    encode: encodeCreate,
    decode: withStat
      ? plain ? readCreate2Response : (r) => {
        const res = readCreate2Response(r);
        return { path: paths.strip(res.path), stat: res.stat };
      }
      : plain
      ? readCreatedPath
      : (r) => paths.strip(readCreatedPath(r)),
  };
  return request;
}

interface CreateRequest extends Request<unknown> {
  readonly serverPath: string;
  readonly data: WireData;
  readonly acl: readonly ACL[];
  readonly flags: number;
  readonly ttl: number | undefined;
}

// CreateRequest, and CreateTTLRequest when there is a ttl: path, data, ACL,
// flags (then the ttl), as writeCreateRequest and writeCreateTTLRequest write
// them.
function encodeCreate(this: CreateRequest, w: JuteWriter): void {
  w.writeString(this.serverPath);
  writeData(w, this.data);
  writeACLVector(w, this.acl);
  w.writeInt(this.flags);
  if (this.ttl !== undefined) w.writeLong(this.ttl);
}

// The path of a CreateResponse, or of a Create2Response (createContainer's
// and createTTL's reply), whose Stat after it is left unread.
function readCreatedPath(r: JuteReader): string {
  return r.readNonNullString("path");
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
  const request: DeleteRequest = {
    opcode: OpCode.delete,
    verb: "delete",
    path,
    serverPath,
    version,
    encode: encodeDelete,
  };
  return request;
}

interface DeleteRequest extends Request<void> {
  readonly serverPath: string;
  readonly version: number;
}

// DeleteRequest: path, version, as writeDeleteRequest writes them.
function encodeDelete(this: DeleteRequest, w: JuteWriter): void {
  w.writeString(this.serverPath);
  w.writeInt(this.version);
}

/**
 * setData.
 *
 * @param path The user's path.
 * @param serverPath The path on the server.
 * @param data The new data, size-checked: bytes, or text sent as UTF-8.
 * @param version The version it must have, or -1.
 * @returns The request.
 */
export function setDataRequest(
  path: string,
  serverPath: string,
  data: WireData,
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
  readonly data: WireData;
  readonly version: number;
}

// SetDataRequest: path, data, version, as writeSetDataRequest writes them.
function encodeSetData(this: SetDataRequest, w: JuteWriter): void {
  w.writeString(this.serverPath);
  writeData(w, this.data);
  w.writeInt(this.version);
}

// Data as a jute buffer: text goes in as its UTF-8, which a jute string is.
function writeData(w: JuteWriter, data: WireData): void {
  if (typeof data === "string") w.writeString(data);
  else w.writeBuffer(data);
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
