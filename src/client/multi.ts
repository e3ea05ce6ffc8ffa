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
import { typeName } from "../util/type_name.ts";
import { badArgument, checkData, checkVersion, type Subject, wireBytes } from "./arguments.ts";
import { createArgs } from "./create_args.ts";
import type { Chroot } from "./chroot.ts";
import type { Op, OpResult, ReadOp, ReadResult } from "./types.ts";

/** A multi request ready to send. */
export interface MultiRequest {
  /** Writes the body. */
  encode(w: JuteWriter): void;
}

const WRITES: ReadonlySet<unknown> = new Set(["create", "delete", "setData", "check"]);
const READS: ReadonlySet<unknown> = new Set(["getData", "getChildren"]);

// The subject of one operation's messages: `commit transaction: operation 2, setData "/a"`.
function opSubject(subject: Subject, index: number, name: string, path?: string): Subject {
  return { verb: `${subject.verb}: operation ${index}, ${name}`, path };
}

// An operation's server path, its refusal naming the operation.
function serverPath(subject: Subject, paths: Chroot, path: unknown, sequential = false): string {
  if (typeof path !== "string") {
    throw badArgument(subject, `path must be a string, not ${typeName(path)}`);
  }
  try {
    return paths.toServer(path, sequential);
  } catch (error) {
    throw badArgument(subject, (error as Error).message);
  }
}

/**
 * Checks operations and converts them to records, refusing the whole
 * transaction before anything is sent when one of them is invalid.
 *
 * @param subject The call, for messages.
 * @param ops The operations.
 * @param kind `write` for `multi` (create, delete, setData, check), `read`
 *   for `multiRead` (getData, getChildren).
 * @param paths Validates paths and adds the chroot.
 * @param maxDataSize The largest data accepted.
 * @returns The request.
 * @throws {ZooKeeperError} `BADARGUMENTS` for an invalid operation.
 */
export function buildMultiRequest(
  subject: Subject,
  ops: readonly (Op | ReadOp)[],
  kind: "write" | "read",
  paths: Chroot,
  maxDataSize: number,
): MultiRequest {
  if (!Array.isArray(ops)) {
    throw badArgument(subject, `ops must be an array, not ${typeName(ops)}`);
  }
  const allowed = kind === "write" ? WRITES : READS;
  const records: MultiOpRecord[] = ops.map((op: Op | ReadOp, i): MultiOpRecord => {
    if (typeof op !== "object" || op === null) {
      throw badArgument(opSubject(subject, i, "?"), `must be an object, not ${typeName(op)}`);
    }
    if (!allowed.has(op.op)) {
      const name: unknown = (op as { op: unknown }).op;
      const known = [...allowed].join(", ");
      const what = typeof name === "string" ? JSON.stringify(name) : typeName(name);
      throw badArgument(opSubject(subject, i, "?"), `op must be one of ${known}, not ${what}`);
    }
    if (typeof op.path !== "string") {
      throw badArgument(
        opSubject(subject, i, op.op),
        `path must be a string, not ${typeName(op.path)}`,
      );
    }
    const at = opSubject(subject, i, op.op, op.path);
    switch (op.op) {
      case "create": {
        const toServer = (p: string, sequential: boolean) => serverPath(at, paths, p, sequential);
        const { serverPath: path, data, acl, mode, ttl } = createArgs(
          at,
          op,
          { toServer },
          maxDataSize,
        );
        const body = { path, data: wireBytes(data), acl, flags: mode.flags };
        // createArgs has checked that a ttl comes exactly with a TTL mode.
        if (ttl !== undefined) return { type: OpCode.createTTL, body: { ...body, ttl } };
        return { type: mode.opcode as typeof OpCode.create2 | typeof OpCode.createContainer, body };
      }
      case "delete":
      case "check": {
        const path = serverPath(at, paths, op.path);
        return {
          type: op.op === "delete" ? OpCode.delete : OpCode.check,
          body: { path, version: checkVersion(at, op.version) },
        };
      }
      case "setData": {
        const path = serverPath(at, paths, op.path);
        const data = checkData(at, op.data, maxDataSize);
        return {
          type: OpCode.setData,
          body: { path, data, version: checkVersion(at, op.version) },
        };
      }
      case "getData":
      case "getChildren": {
        const path = serverPath(at, paths, op.path);
        return {
          type: op.op === "getData" ? OpCode.getData : OpCode.getChildren,
          body: { path, watch: false },
        };
      }
    }
  });
  return { encode: (w) => writeMultiRequest(w, records) };
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
  paths: Chroot,
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
