/**
 * A create's arguments checked, the same for `create` and for the creates of
 * `multi`: the mode and its TTL first, then the path, the data and the ACL.
 *
 * @module
 */

import type { ACL } from "../protocol/records_data.ts";
import { OPEN_ACL_UNSAFE } from "./acl.ts";
import { checkAcl, checkWireData, type Subject, type WireData } from "./arguments.ts";
import { createModeOf, type CreateModeSpec } from "./create_mode.ts";
import type { CreateOptions, Data } from "./types.ts";

/** A create's arguments, checked. */
export interface CreateArgs {
  /** The path on the server. */
  serverPath: string;
  /** The data, size-checked: bytes, or text sent as UTF-8. */
  data: WireData;
  /** The ACL: a checked copy of the one given, or open to all. */
  acl: readonly ACL[];
  /** The mode. */
  mode: CreateModeSpec;
  /** The TTL, for TTL modes. */
  ttl: number | undefined;
}

/** What a create is given. */
export type CreateInput =
  & { path: string; data?: Data | undefined }
  & Pick<
    CreateOptions,
    "mode" | "acl" | "ttl"
  >;

/**
 * Checks a create's arguments.
 *
 * @param subject The call, for messages.
 * @param input The path, data, mode, ACL and TTL given.
 * @param paths Gives the path on the server of a user's path; sequential when
 *   the server adds a sequence number to the name.
 * @param maxDataSize The largest data accepted.
 * @returns The checked arguments.
 * @throws {ZooKeeperError} `BADARGUMENTS` for the first that is invalid.
 */
export function createArgs(
  subject: Subject,
  input: CreateInput,
  paths: { toServer(path: string, sequential: boolean): string },
  maxDataSize: number,
): CreateArgs {
  const mode = createModeOf(input.path, input.mode, input.ttl);
  return {
    serverPath: paths.toServer(input.path, mode.sequential),
    data: checkWireData(subject, input.data, maxDataSize),
    acl: input.acl === undefined ? OPEN_ACL_UNSAFE : checkAcl(subject, input.acl),
    mode,
    ttl: input.ttl,
  };
}
