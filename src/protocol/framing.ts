/**
 * Length-prefixed framing: every ZooKeeper message is a 4-byte big-endian
 * length followed by that many bytes (`ClientCnxnSocket.readLength`).
 *
 * @module
 */

import { DEFAULT_MAX_FRAME_SIZE } from "./constants.ts";

/**
 * Cuts whole frames out of a byte stream that arrives in arbitrary chunks.
 *
 * A frame that lies inside one chunk is handed out as a view of that chunk; a
 * frame that spans chunks is copied once into a buffer of its exact size, so
 * every byte is copied at most once whatever the chunking.
 *
 * @example Decoding two frames from one chunk
 * ```ts
 * import { FrameDecoder } from "./framing.ts";
 * const frames: Uint8Array[] = [];
 * new FrameDecoder().push(new Uint8Array([0, 0, 0, 1, 7, 0, 0, 0, 0]), (f) => frames.push(f));
 * // frames: [Uint8Array [7], Uint8Array []]
 * ```
 */
export class FrameDecoder {
  readonly #maxFrameSize: number;
  // A length prefix split across chunks, gathered a byte at a time: a number
  // rather than a buffer, which every idle connection would hold.
  #header = 0;
  #headerFilled = 0;
  #frame: Uint8Array | null = null;
  #frameFilled = 0;
  // An oversized frame being passed over: its head, then bytes to drop.
  #head: Uint8Array | null = null;
  #headFilled = 0;
  #skipLength = 0;
  #skipLeft = 0;

  /** @param maxFrameSize The largest payload accepted, in bytes. */
  constructor(maxFrameSize: number = DEFAULT_MAX_FRAME_SIZE) {
    this.#maxFrameSize = maxFrameSize;
  }

  /** The largest payload accepted, in bytes. */
  get maxFrameSize(): number {
    return this.#maxFrameSize;
  }

  /** Bytes held back while waiting for the rest of a frame. */
  get buffered(): number {
    if (this.#head !== null) return 4 + this.#headFilled;
    return this.#frame === null ? this.#headerFilled : 4 + this.#frameFilled;
  }

  /**
   * Feeds a chunk and calls `onFrame` with the payload of every frame it
   * completes, in order.
   *
   * @param chunk Bytes as they came from the socket.
   * @param onFrame Called with each payload, without its length prefix.
   * @param onOversized As {@linkcode FrameSink.oversized}.
   * @throws {RangeError} When a frame declares a negative length, or one over
   *   the maximum without `onOversized` (or shorter than its head); the
   *   stream cannot be resynchronised after that.
   */
  push(
    chunk: Uint8Array,
    onFrame: (payload: Uint8Array) => void,
    onOversized?: (head: Uint8Array, length: number) => void,
  ): void {
    this.pushInPlace(chunk, {
      frame: (bytes, start, end) => onFrame(bytes.subarray(start, end)),
      oversized: onOversized,
    });
  }

  /**
   * {@linkcode FrameDecoder.push} without a view per frame and without a
   * function per call: `sink` gets the bytes that hold each payload and where
   * it lies in them, valid only during the call. A stream is fed to one sink.
   *
   * @param chunk Bytes as they came from the socket.
   * @param sink Receives each payload and each oversized frame's head.
   * @throws {RangeError} As `push`.
   */
  pushInPlace(chunk: Uint8Array, sink: FrameSink): void {
    const end = chunk.length;
    let off = 0;
    while (off < end) {
      if (this.#head !== null) {
        off = this.#pass(chunk, off, sink);
        continue;
      }
      if (this.#frame === null) {
        let length: number;
        if (this.#headerFilled === 0 && end - off >= 4) {
          length = (chunk[off] << 24) | (chunk[off + 1] << 16) |
            (chunk[off + 2] << 8) |
            chunk[off + 3];
          off += 4;
        } else {
          let header = this.#header;
          let filled = this.#headerFilled;
          while (filled < 4 && off < end) {
            header = (header << 8) | chunk[off++];
            filled++;
          }
          if (filled < 4) {
            this.#header = header;
            this.#headerFilled = filled;
            return;
          }
          length = header;
          this.#header = 0;
          this.#headerFilled = 0;
        }
        if (
          length > this.#maxFrameSize && length >= OVERSIZED_HEAD &&
          sink.oversized !== undefined
        ) {
          this.#head = new Uint8Array(OVERSIZED_HEAD);
          this.#headFilled = 0;
          this.#skipLength = length;
          this.#skipLeft = length - OVERSIZED_HEAD;
          continue;
        }
        if (length < 0 || length > this.#maxFrameSize) {
          throw new RangeError(
            `Frame length ${length} is out of range (0 to ${this.#maxFrameSize} bytes)`,
          );
        }
        if (end - off >= length) {
          const start = off;
          off += length;
          sink.frame(chunk, start, off);
          continue;
        }
        this.#frame = new Uint8Array(length);
        this.#frameFilled = 0;
      }
      const frame = this.#frame;
      const n = Math.min(frame.length - this.#frameFilled, end - off);
      frame.set(chunk.subarray(off, off + n), this.#frameFilled);
      this.#frameFilled += n;
      off += n;
      if (this.#frameFilled === frame.length) {
        this.#frame = null;
        sink.frame(frame, 0, frame.length);
      }
    }
  }

  // Reads the head of an oversized frame, reports it, drops the rest.
  #pass(chunk: Uint8Array, off: number, sink: FrameSink): number {
    const head = this.#head!;
    if (this.#headFilled < head.length) {
      const n = Math.min(head.length - this.#headFilled, chunk.length - off);
      head.set(chunk.subarray(off, off + n), this.#headFilled);
      this.#headFilled += n;
      off += n;
      if (this.#headFilled < head.length) return off;
      if (sink.oversized === undefined) {
        throw new RangeError(
          `Frame length ${this.#skipLength} is out of range (0 to ${this.#maxFrameSize} bytes)`,
        );
      }
      sink.oversized(head, this.#skipLength);
    }
    const n = Math.min(this.#skipLeft, chunk.length - off);
    this.#skipLeft -= n;
    if (this.#skipLeft === 0) this.#head = null;
    return off + n;
  }
}

/**
 * Bytes of an oversized frame handed to {@linkcode FrameSink.oversized}: a
 * reply header (xid, zxid, err), the part that says which request it answers.
 */
export const OVERSIZED_HEAD = 16;

/** Receives what {@linkcode FrameDecoder.pushInPlace} cuts out of a stream. */
export interface FrameSink {
  /**
   * A frame's payload in place: `bytes` from `start` (inclusive) to `end`
   * (exclusive), valid only during the call.
   */
  frame(bytes: Uint8Array, start: number, end: number): void;
  /**
   * Told of a frame over the maximum with its first
   * {@linkcode OVERSIZED_HEAD} bytes and its declared length; its other bytes
   * are then dropped and the stream stays in step. Without it such a frame
   * throws.
   */
  oversized?: ((head: Uint8Array, length: number) => void) | undefined;
}
