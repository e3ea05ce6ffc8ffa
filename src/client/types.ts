/**
 * The public types of the client's operations.
 *
 * @module
 */

import type { CreateModeName } from "../protocol/constants.ts";
import type { ACL, Stat } from "../protocol/records_data.ts";
import type { ZooKeeperError } from "../protocol/errors.ts";
import type { CallOptions } from "../session/call.ts";
import type { Watcher } from "./watch_registry.ts";

/** Znode data: bytes, or a string sent as UTF-8. */
export type Data = Uint8Array | string;

export type { CallOptions } from "../session/call.ts";

/** Options of `create`. */
export interface CreateOptions extends CallOptions {
  /**
   * How the node lives: `persistent`, `ephemeral` (deleted with the session),
   * the `...Sequential` forms (a 10-digit counter is appended to the name),
   * `container` (deleted by the server once its last child goes), and the
   * `...WithTTL` forms (deleted after `ttl` ms without changes; the server
   * needs `zookeeper.extendedTypesEnabled=true`). From JavaScript or a
   * configuration file, the Java spellings (`PERSISTENT_SEQUENTIAL`,
   * `persistent_sequential`) are accepted too.
   *
   * @default {"persistent"}
   */
  mode?: CreateModeName | undefined;
  /**
   * Who may do what with the node.
   *
   * @default {OPEN_ACL_UNSAFE}
   */
  acl?: readonly ACL[] | undefined;
  /** Time to live in milliseconds, for the `...WithTTL` modes. */
  ttl?: number | undefined;
}

/** Options of reads that can leave a one-shot watch. */
export interface WatchOptions extends CallOptions {
  /** Called once with the next change of the node (see each method). */
  watch?: Watcher | undefined;
}

/** Options of writes conditional on a version. */
export interface VersionOptions extends CallOptions {
  /**
   * The version the node must have, or -1 for any: an integer in the signed
   * 32-bit range, refused with `BADARGUMENTS` otherwise.
   *
   * @default {-1}
   */
  version?: number | undefined;
}

/** The result of `getData`. */
export interface DataResult {
  /** The node's data (empty when it has none). */
  data: Uint8Array;
  /** The node's metadata. */
  stat: Stat;
}

/** One operation of a `multi` transaction. */
export type Op =
  | ({ op: "create"; path: string; data?: Data } & Pick<CreateOptions, "mode" | "acl" | "ttl">)
  | { op: "delete"; path: string; version?: number }
  | { op: "setData"; path: string; data: Data; version?: number }
  | { op: "check"; path: string; version: number };

/** The result of one operation of a successful `multi`. */
export type OpResult =
  | { op: "create"; path: string; stat: Stat | undefined }
  | { op: "delete" }
  | { op: "setData"; stat: Stat }
  | { op: "check" };

/** One read of a `multiRead`. */
export type ReadOp =
  | { op: "getData"; path: string }
  | { op: "getChildren"; path: string };

/** The result of one read of a `multiRead`: each succeeds or fails on its own. */
export type ReadResult =
  | { op: "getData"; data: Uint8Array; stat: Stat }
  | { op: "getChildren"; children: string[] }
  | { op: "error"; error: ZooKeeperError };
