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
  readonly #header = new Uint8Array(4);
  #headerFilled = 0;
  #frame: Uint8Array | null = null;
  #frameFilled = 0;

  /**
   * @param maxFrameSize The largest payload accepted, in bytes.
   */
  constructor(maxFrameSize: number = DEFAULT_MAX_FRAME_SIZE) {
    this.#maxFrameSize = maxFrameSize;
  }

  /** Bytes held back while waiting for the rest of a frame. */
  get buffered(): number {
    return this.#frame === null ? this.#headerFilled : 4 + this.#frameFilled;
  }

  /**
   * Feeds a chunk and calls `onFrame` with the payload of every frame it
   * completes, in order.
   *
   * @param chunk Bytes as they came from the socket.
   * @param onFrame Called with each payload, without its length prefix.
   * @throws {RangeError} When a frame declares a negative length or one over
   *   the maximum; the stream cannot be resynchronised after that.
   */
  push(chunk: Uint8Array, onFrame: (payload: Uint8Array) => void): void {
    const end = chunk.length;
    let off = 0;
    while (off < end) {
      if (this.#frame === null) {
        let length: number;
        if (this.#headerFilled === 0 && end - off >= 4) {
          length = (chunk[off] << 24) | (chunk[off + 1] << 16) |
            (chunk[off + 2] << 8) |
            chunk[off + 3];
          off += 4;
        } else {
          const n = Math.min(4 - this.#headerFilled, end - off);
          this.#header.set(chunk.subarray(off, off + n), this.#headerFilled);
          this.#headerFilled += n;
          off += n;
          if (this.#headerFilled < 4) return;
          const h = this.#header;
          length = (h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3];
          this.#headerFilled = 0;
        }
        if (length < 0 || length > this.#maxFrameSize) {
          throw new RangeError(
            `Frame length ${length} is out of range (0 to ${this.#maxFrameSize} bytes)`,
          );
        }
        if (end - off >= length) {
          const payload = chunk.subarray(off, off + length);
          off += length;
          onFrame(payload);
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
        onFrame(frame);
      }
    }
  }
}
