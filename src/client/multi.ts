/**
 * Conversion between the user's multi operations and the wire records.
 *
 * @module
 */

import { MultiError, type MultiErrorResult, ZooKeeperError } from "../protocol/errors.ts";
import type { JuteWriter } from "../jute/writer.ts";
import { errorCodeName, OpCode } from "../protocol/constants.ts";
import {
  type MultiOpRecord,
  type MultiResultRecord,
  writeMultiRequest,
} from "../protocol/multi.ts";
import { OPEN_ACL_UNSAFE } from "./acl.ts";
import { createModeOf } from "./create_mode.ts";
import type { Paths } from "./paths.ts";
import type { Data, Op, OpResult, ReadOp, ReadResult } from "./types.ts";

/** A multi request ready to send. */
export interface MultiRequest {
  /** Writes the body. */
  encode(w: JuteWriter): void;
  /** Expected size in bytes. */
  sizeHint: number;
}

/**
 * Validates and converts operations to records.
 *
 * @param ops The operations.
 * @param paths Validates paths and adds the chroot.
 * @param toData Converts and checks data.
 * @returns The request.
 * @throws {ZooKeeperError} `BADARGUMENTS` for an invalid operation, before anything is sent.
 */
export function buildMultiRequest(
  ops: readonly (Op | ReadOp)[],
  paths: Paths,
  toData: (verb: string, path: string, data: Data | undefined) => Uint8Array,
): MultiRequest {
  let sizeHint = 64;
  const records: MultiOpRecord[] = ops.map((op): MultiOpRecord => {
    switch (op.op) {
      case "create": {
        const mode = createModeOf(op.path, op.mode, op.ttl);
        const path = paths.toServer(op.path, mode.sequential);
        const data = toData("create", op.path, op.data);
        sizeHint += 64 + path.length * 3 + data.length;
        const body = { path, data, acl: op.acl ?? [...OPEN_ACL_UNSAFE], flags: mode.flags };
        // createModeOf has checked that a ttl comes exactly with a TTL mode.
        const ttl = op.ttl;
        if (ttl !== undefined) return { type: OpCode.createTTL, body: { ...body, ttl } };
        return { type: mode.opcode as typeof OpCode.create2 | typeof OpCode.createContainer, body };
      }
      case "delete":
      case "check": {
        const path = paths.toServer(op.path);
        sizeHint += 32 + path.length * 3;
        return {
          type: op.op === "delete" ? OpCode.delete : OpCode.check,
          body: { path, version: op.version ?? -1 },
        };
      }
      case "setData": {
        const path = paths.toServer(op.path);
        const data = toData("write", op.path, op.data);
        sizeHint += 32 + path.length * 3 + data.length;
        return {
          type: OpCode.setData,
          body: { path, data, version: op.version ?? -1 },
        };
      }
      case "getData":
      case "getChildren": {
        const path = paths.toServer(op.path);
        sizeHint += 32 + path.length * 3;
        return {
          type: op.op === "getData" ? OpCode.getData : OpCode.getChildren,
          body: { path, watch: false },
        };
      }
      default:
        throw new ZooKeeperError(
          "BADARGUMENTS",
          `Cannot commit transaction: unknown operation ${
            JSON.stringify((op as { op: unknown }).op)
          }`,
        );
    }
  });
  return { encode: (w) => writeMultiRequest(w, records), sizeHint };
}

/**
 * Turns the results of a multi into the user's results.
 *
 * @param results The records.
 * @param ops The operations, for error messages.
 * @param paths Strips the chroot from created paths.
 * @returns The results.
 * @throws {MultiError} When the transaction failed.
 */
export function multiResults(
  results: readonly MultiResultRecord[],
  ops: readonly Op[],
  paths: Paths,
): OpResult[] {
  const failed = results.findIndex((r) => r.type === OpCode.error && r.body.err !== 0);
  if (failed !== -1) {
    const codes: MultiErrorResult[] = ops.map((op, i) => {
      const r = results[i];
      const err = r === undefined ? -2 : r.type === OpCode.error ? r.body.err : 0;
      return {
        op: op.op,
        path: op.path,
        code: err === 0 ? "OK" : errorCodeName(err),
      };
    });
    throw new MultiError(failed, codes);
  }
  return results.map((r): OpResult => {
    switch (r.type) {
      case 1:
        return {
          op: "create",
          path: paths.strip(r.body.path),
          stat: undefined,
        };
      case 15:
        return {
          op: "create",
          path: paths.strip(r.body.path),
          stat: r.body.stat,
        };
      case 2:
        return { op: "delete" };
      case 5:
        return { op: "setData", stat: r.body.stat };
      case 13:
        return { op: "check" };
      default:
        throw new ZooKeeperError(
          "MARSHALLINGERROR",
          `Unexpected result type ${r.type} in a multi`,
        );
    }
  });
}

/**
 * Turns the results of a multiRead into the user's results.
 *
 * @param results The records.
 * @param ops The reads, for error messages.
 * @returns The results, each a value or an error.
 */
export function multiReadResults(
  results: readonly MultiResultRecord[],
  ops: readonly ReadOp[],
): ReadResult[] {
  return results.map((r, i): ReadResult => {
    switch (r.type) {
      case 4:
        return {
          op: "getData",
          data: r.body.data === null ? new Uint8Array(0) : new Uint8Array(r.body.data),
          stat: r.body.stat,
        };
      case 8:
        return { op: "getChildren", children: r.body.children };
      case -1: {
        const op = ops[i];
        const verb = op?.op === "getChildren" ? "list children of" : "read";
        return {
          op: "error",
          error: ZooKeeperError.fromServer(r.body.err, verb, op?.path),
        };
      }
      default:
        return {
          op: "error",
          error: new ZooKeeperError(
            "MARSHALLINGERROR",
            `Unexpected result type ${r.type} in a multiRead`,
          ),
        };
    }
  });
}
