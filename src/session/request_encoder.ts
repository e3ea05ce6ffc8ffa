/**
 * A request as a value: what it is (opcode, verb, path), how to write its body
 * and read its reply, and what to do when the reply arrives. Also the framing
 * of requests: `len | xid | opcode | body`, the RequestHeader of
 * `zookeeper.jute`.
 *
 * @module
 */

import type { JuteReader } from "../jute/reader.ts";
import { JuteWriter } from "../jute/writer.ts";
import { OpCode, Xid } from "../protocol/constants.ts";
import { writeAuthPacket, writeRequestHeader } from "../protocol/records_session.ts";

/** A request that gets a reply matched by xid. */
export interface Request<T> {
  /** The request type, such as `OpCode.getData`. */
  readonly opcode: number;
  /** What the request does, for error messages (`"create"`). */
  readonly verb: string;
  /** The path it is about (as the user wrote it), for error messages. */
  readonly path?: string | undefined;
  /** Writes the body; none when omitted. */
  encode?(w: JuteWriter): void;
  /** Reads the reply body; the reply is `undefined` when omitted. */
  decode?(r: JuteReader): T;
  /**
   * Called with the reply's error code before the promise settles: watch
   * registration hooks in here, so a watch exists before its caller resumes.
   */
  onReply?(err: number): void;
  /**
   * An error code that answers the request rather than failing it: the reply
   * is then `null` (`exists` reads `NONODE` so), with no error made.
   */
  readonly nullOn?: number | undefined;
}

/** A request sent with a special xid and no reply to wait for. */
export interface ControlRequest {
  /** The request type, such as `OpCode.setWatches2`. */
  readonly opcode: number;
  /** Writes the body. */
  encode(w: JuteWriter): void;
}

// Requests are encoded into one reused writer, then copied into a shared
// slab: a request costs a view of the slab, not an ArrayBuffer (and a
// DataView, and a regrowth when the size was guessed low) of its own. Frames
// encoded one after another lie side by side, so the connection writes a
// burst of them as one view, without copying them together. A slab is never
// written twice: a frame stays valid while someone holds it.
const SLAB_SIZE = 64 * 1024;
// The length prefix, the xid and the opcode.
const HEADER_SIZE = 12;
let scratch = new JuteWriter(4096);
let slab = new Uint8Array(0);
let slabUsed = 0;

/**
 * The frame of a request, with xid 0 to be set by {@linkcode setXid} once the
 * request is queued.
 *
 * @param request The request.
 * @returns The frame, length prefix included.
 * @throws {RangeError} When a field cannot be encoded; nothing is kept of it.
 */
export function encodeRequest(request: Request<unknown>): Uint8Array {
  const w = scratch;
  w.reset();
  const start = w.beginFrame();
  writeRequestHeader(w, 0, request.opcode);
  request.encode?.(w);
  w.endFrame(start);
  const n = w.length;
  // The writer throws on what it cannot encode; this is the last line against
  // a frame without its header, which would be taken for a request awaiting
  // the next reply and shift every reply after it.
  if (n < HEADER_SIZE) throw new RangeError(`Cannot encode a request: frame of ${n} bytes`);
  if (n > SLAB_SIZE / 8) {
    const own = w.bytes().slice();
    // Not keeping a megabyte writer around for one large request.
    if (n > SLAB_SIZE) scratch = new JuteWriter(4096);
    return own;
  }
  if (slabUsed + n > slab.length) {
    slab = new Uint8Array(SLAB_SIZE);
    slabUsed = 0;
  }
  w.copyTo(slab, slabUsed);
  const frame = slab.subarray(slabUsed, slabUsed + n);
  slabUsed += n;
  return frame;
}

/**
 * Writes the xid into a frame made by {@linkcode encodeRequest}: the
 * RequestHeader's first field, right after the length prefix.
 *
 * @param frame The frame.
 * @param xid The xid.
 */
export function setXid(frame: Uint8Array, xid: number): void {
  frame[4] = xid >>> 24;
  frame[5] = xid >>> 16;
  frame[6] = xid >>> 8;
  frame[7] = xid;
}

/**
 * The frame of a control request with its fixed xid.
 *
 * @param xid One of {@linkcode Xid}.
 * @param request The request.
 * @returns The frame.
 */
export function encodeControl(xid: number, request: ControlRequest): Uint8Array {
  const w = new JuteWriter(256);
  const start = w.beginFrame();
  writeRequestHeader(w, xid, request.opcode);
  request.encode(w);
  w.endFrame(start);
  return w.bytes();
}

/**
 * The frame of an AuthPacket (xid -4, `ClientCnxn.AUTHPACKET_XID`).
 *
 * @param scheme The scheme, such as `"digest"`.
 * @param auth The credentials.
 * @returns The frame.
 */
export function encodeAuth(scheme: string, auth: Uint8Array): Uint8Array {
  return encodeControl(Xid.auth, {
    opcode: OpCode.auth,
    encode: (w) => writeAuthPacket(w, { type: 0, scheme, auth }),
  });
}

/** The ping frame: xid -2, opcode ping, no body (`ClientCnxn.PING_XID`). */
export const PING_FRAME: Uint8Array = encodeControl(Xid.ping, {
  opcode: OpCode.ping,
  encode: () => {},
});

/**
 * The subject of a message about a request: `verb "path"`, or `verb` alone.
 *
 * @param verb What the request does.
 * @param path The path it is about.
 * @returns The phrase.
 */
export function describeRequest(verb: string, path: string | undefined): string {
  return path === undefined ? verb : `${verb} "${path}"`;
}
