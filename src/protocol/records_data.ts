/**
 * The data records of `zookeeper.jute` (module `org.apache.zookeeper.data`):
 * Id, ACL, Stat and ClientInfo.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-jute/src/main/resources/zookeeper.jute
 * @module
 */

import type { JuteReader } from "../jute/reader.ts";
import type { JuteWriter } from "../jute/writer.ts";

/** An authenticated identity: a scheme (`world`, `digest`, `ip`, ...) and an id. */
export interface Id {
  /** The authentication scheme, such as `"digest"`. */
  scheme: string;
  /** The identity within the scheme, such as `"anyone"` or `"user:hash"`. */
  id: string;
}

/** One access control entry: the permission bits granted to an identity. */
export interface ACL {
  /** Bits of {@linkcode Perms}. */
  perms: number;
  /** Who is granted them. */
  id: Id;
}

/**
 * The metadata of a znode. Transaction ids and the owner session are `bigint`;
 * times (milliseconds since the epoch), versions and counts are numbers.
 */
export interface Stat {
  /** Zxid of the change that created the node. */
  czxid: bigint;
  /** Zxid of the change that last modified the node's data. */
  mzxid: bigint;
  /** Creation time, in milliseconds since the epoch. */
  ctime: number;
  /** Last modification time, in milliseconds since the epoch. */
  mtime: number;
  /** Number of changes to the data. */
  version: number;
  /** Number of changes to the children. */
  cversion: number;
  /** Number of changes to the ACL. */
  aversion: number;
  /** Session id of the owner of an ephemeral node, `0n` otherwise. */
  ephemeralOwner: bigint;
  /** Length of the data in bytes. */
  dataLength: number;
  /** Number of children. */
  numChildren: number;
  /** Zxid of the change that last modified the children. */
  pzxid: bigint;
}

/** An identity of the current session, as `whoAmI` returns it. */
export interface ClientInfo {
  /** The authentication scheme, such as `"ip"` or `"digest"`. */
  authScheme: string;
  /** The user within that scheme. */
  user: string;
}

/** Encodes an {@linkcode Id}. */
export function writeId(w: JuteWriter, r: Id): void {
  w.writeString(r.scheme);
  w.writeString(r.id);
}

/** Decodes an {@linkcode Id}. */
export function readId(r: JuteReader): Id {
  return {
    scheme: r.readNonNullString("Id.scheme"),
    id: r.readNonNullString("Id.id"),
  };
}

/** Encodes an {@linkcode ACL}. */
export function writeACL(w: JuteWriter, r: ACL): void {
  w.writeInt(r.perms);
  writeId(w, r.id);
}

/** Decodes an {@linkcode ACL}. */
export function readACL(r: JuteReader): ACL {
  return { perms: r.readInt(), id: readId(r) };
}

/** Encodes a vector of {@linkcode ACL}. */
export function writeACLVector(
  w: JuteWriter,
  acl: readonly ACL[] | null,
): void {
  w.writeVector(acl, (a) => writeACL(w, a));
}

/** Decodes a vector of {@linkcode ACL}; a null vector is empty. */
export function readACLVector(r: JuteReader): ACL[] {
  return r.readVector(() => readACL(r), 12) ?? [];
}

/** Decodes a {@linkcode Stat}. */
export function readStat(r: JuteReader): Stat {
  return {
    czxid: r.readLong(),
    mzxid: r.readLong(),
    ctime: r.readLongNumber(),
    mtime: r.readLongNumber(),
    version: r.readInt(),
    cversion: r.readInt(),
    aversion: r.readInt(),
    ephemeralOwner: r.readLong(),
    dataLength: r.readInt(),
    numChildren: r.readInt(),
    pzxid: r.readLong(),
  };
}

/** Decodes a {@linkcode ClientInfo}. */
export function readClientInfo(r: JuteReader): ClientInfo {
  return {
    authScheme: r.readString() ?? "",
    user: r.readString() ?? "",
  };
}
