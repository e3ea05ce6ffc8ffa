/**
 * The bodies of `multi` and `multiRead`: a sequence of operations, each after a
 * {@linkcode MultiHeader}, closed by a header with `done` set. The Java client
 * writes them in `MultiOperationRecord` and reads them in `MultiResponse`.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/MultiOperationRecord.java
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/MultiResponse.java
 * @module
 */

import type { JuteReader } from "../jute/reader.ts";
import type { JuteWriter } from "../jute/writer.ts";
import { OpCode } from "./constants.ts";
import {
  type CreateRequest,
  type CreateTTLRequest,
  type DeleteRequest,
  readCreate2Response,
  readGetChildrenResponse,
  readGetDataResponse,
  readPathResponse,
  readStatResponse,
  type SetDataRequest,
  type WatchRequest,
  writeCreateRequest,
  writeCreateTTLRequest,
  writeDeleteRequest,
  writeSetDataRequest,
  writeWatchRequest,
} from "./records_ops.ts";
import { readMultiHeader, writeMultiHeader } from "./records_session.ts";
import type { Stat } from "./records_data.ts";

/** One operation of a multi request, with the opcode it is sent as. */
export type MultiOpRecord =
  | { type: 1 | 15 | 19; body: CreateRequest }
  | { type: 21; body: CreateTTLRequest }
  | { type: 2 | 13; body: DeleteRequest }
  | { type: 5; body: SetDataRequest }
  | { type: 4 | 8; body: WatchRequest };

/** One result of a multi response, as its header and body say. */
export type MultiResultRecord =
  | { type: 1; err: number; body: { path: string } }
  | { type: 15; err: number; body: { path: string; stat: Stat } }
  | { type: 2 | 13; err: number; body: null }
  | { type: 5; err: number; body: { stat: Stat } }
  | { type: -1; err: number; body: { err: number } }
  | { type: 4; err: number; body: { data: Uint8Array | null; stat: Stat } }
  | { type: 8; err: number; body: { children: string[] } };

/** Encodes the body of a multi or multiRead request. */
export function writeMultiRequest(
  w: JuteWriter,
  ops: readonly MultiOpRecord[],
): void {
  for (const op of ops) {
    writeMultiHeader(w, { type: op.type, done: false, err: -1 });
    switch (op.type) {
      case 1:
      case 15:
      case 19:
        writeCreateRequest(w, op.body);
        break;
      case 21:
        writeCreateTTLRequest(w, op.body);
        break;
      case 2:
      case 13:
        writeDeleteRequest(w, op.body);
        break;
      case 5:
        writeSetDataRequest(w, op.body);
        break;
      case 4:
      case 8:
        writeWatchRequest(w, op.body);
        break;
    }
  }
  writeMultiHeader(w, { type: -1, done: true, err: -1 });
}

/** Decodes the body of a multi or multiRead response. */
export function readMultiResponse(r: JuteReader): MultiResultRecord[] {
  const results: MultiResultRecord[] = [];
  for (let h = readMultiHeader(r); !h.done; h = readMultiHeader(r)) {
    const err = h.err;
    switch (h.type) {
      case OpCode.create:
        results.push({ type: 1, err, body: readPathResponse(r) });
        break;
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
        results.push({ type: 15, err, body: readCreate2Response(r) });
        break;
      case OpCode.delete:
      case OpCode.check:
        results.push({ type: h.type, err, body: null });
        break;
      case OpCode.setData:
        results.push({ type: 5, err, body: readStatResponse(r) });
        break;
      case OpCode.error:
        results.push({ type: -1, err, body: { err: r.readInt() } });
        break;
      case OpCode.getData:
        results.push({ type: 4, err, body: readGetDataResponse(r) });
        break;
      case OpCode.getChildren:
        results.push({ type: 8, err, body: readGetChildrenResponse(r) });
        break;
      default:
        throw new RangeError(
          `Unknown result type ${h.type} in a multi response`,
        );
    }
  }
  return results;
}
