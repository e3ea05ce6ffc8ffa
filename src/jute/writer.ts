/**
 * Jute binary encoding, the serialization ZooKeeper uses on the wire: big-endian
 * ints and longs, a one-byte boolean, length-prefixed buffers and UTF-8 strings
 * (-1 for null), and length-prefixed vectors.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-jute/src/main/java/org/apache/jute/BinaryOutputArchive.java
 * @module
 */

const encoder = new TextEncoder();
const TWO_32 = 4294967296;

// The writer refuses what it cannot encode faithfully rather than wrap or
// coerce it: a frame is either finished and exact, or not made at all.
function refuse(what: string, value: unknown): never {
  const shown = typeof value === "number" || typeof value === "bigint"
    ? String(value)
    : typeof value;
  throw new RangeError(`Cannot encode ${shown} as ${what}`);
}

/**
 * A growable big-endian writer for jute records. A frame is written in place:
 * {@linkcode JuteWriter.beginFrame} reserves the 4-byte length prefix and
 * {@linkcode JuteWriter.endFrame} fills it in, so a request is encoded into one
 * buffer with no copy.
 */
export class JuteWriter {
  #bytes: Uint8Array;
  #view: DataView;
  #pos = 0;

  /**
   * @param capacity Initial size of the buffer in bytes; it grows by doubling.
   */
  constructor(capacity = 256) {
    this.#bytes = new Uint8Array(capacity);
    this.#view = new DataView(this.#bytes.buffer);
  }

  /** Forgets what was written, to write anew into the same buffer. */
  reset(): void {
    this.#pos = 0;
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.#pos;
  }

  /** The bytes written so far, as a view over the writer's buffer (no copy). */
  bytes(): Uint8Array {
    return this.#bytes.subarray(0, this.#pos);
  }

  /**
   * Copies the bytes written so far into `target` at `offset`: a short
   * record byte by byte, with no view made for the copy.
   *
   * @param target Where to copy; it must have room.
   * @param offset Where in `target`.
   */
  copyTo(target: Uint8Array, offset: number): void {
    const n = this.#pos;
    const bytes = this.#bytes;
    if (n > 64) {
      target.set(bytes.subarray(0, n), offset);
      return;
    }
    for (let i = 0; i < n; i++) target[offset + i] = bytes[i];
  }

  #ensure(extra: number): void {
    const need = this.#pos + extra;
    if (need <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#bytes.subarray(0, this.#pos));
    this.#bytes = next;
    this.#view = new DataView(next.buffer);
  }

  /**
   * Reserves the 4-byte length prefix of a frame.
   *
   * @returns The offset to pass to {@linkcode JuteWriter.endFrame}.
   */
  beginFrame(): number {
    const start = this.#pos;
    this.writeInt(0);
    return start;
  }

  /**
   * Writes the length of the frame started at `start` into its prefix.
   *
   * @param start The offset returned by {@linkcode JuteWriter.beginFrame}.
   * @returns The length of the frame's payload, without the prefix.
   */
  endFrame(start: number): number {
    const length = this.#pos - start - 4;
    this.#view.setInt32(start, length);
    return length;
  }

  /**
   * Writes a 32-bit signed int.
   *
   * @throws {RangeError} When `value` is not an integer in the signed 32-bit range.
   */
  writeInt(value: number): void {
    if ((value | 0) !== value) refuse("an int", value);
    this.#ensure(4);
    this.#view.setInt32(this.#pos, value);
    this.#pos += 4;
  }

  /**
   * Writes a 64-bit signed long, from a `bigint` or a safe integer `number`.
   *
   * @throws {RangeError} When `value` is outside the signed 64-bit range or not
   *   a safe integer.
   */
  writeLong(value: bigint | number): void {
    this.#ensure(8);
    if (typeof value === "bigint") {
      if (BigInt.asIntN(64, value) !== value) refuse("a long", value);
      this.#view.setBigInt64(this.#pos, value);
    } else {
      if (!Number.isSafeInteger(value)) {
        throw new RangeError(
          `Cannot encode ${value} as a long: not a safe integer`,
        );
      }
      this.#view.setInt32(this.#pos, Math.floor(value / TWO_32));
      this.#view.setUint32(this.#pos + 4, value >>> 0);
    }
    this.#pos += 8;
  }

  /** Writes a boolean as one byte, 0 or 1. */
  writeBool(value: boolean): void {
    this.#ensure(1);
    this.#bytes[this.#pos++] = value ? 1 : 0;
  }

  /**
   * Writes a length-prefixed buffer; `null` is written as length -1.
   *
   * @throws {RangeError} When `value` is not a `Uint8Array`.
   */
  writeBuffer(value: Uint8Array | null): void {
    if (value === null) {
      this.writeInt(-1);
      return;
    }
    if (!(value instanceof Uint8Array)) refuse("a buffer", value);
    this.#ensure(4 + value.length);
    this.#view.setInt32(this.#pos, value.length);
    this.#bytes.set(value, this.#pos + 4);
    this.#pos += 4 + value.length;
  }

  /**
   * Writes a length-prefixed UTF-8 string; `null` is written as length -1.
   *
   * @throws {RangeError} When `value` is not a string.
   */
  writeString(value: string | null): void {
    if (value === null) {
      this.writeInt(-1);
      return;
    }
    if (typeof value !== "string") refuse("a string", value);
    const n = value.length;
    // A UTF-16 code unit never takes more than 3 UTF-8 bytes.
    this.#ensure(4 + n * 3);
    const start = this.#pos + 4;
    let ascii = true;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      this.#bytes[start + i] = c;
    }
    const written = ascii ? n : encoder.encodeInto(value, this.#bytes.subarray(start)).written;
    this.#view.setInt32(this.#pos, written);
    this.#pos = start + written;
  }

  /** Writes a vector of strings; `null` is written as length -1. */
  writeStringVector(values: readonly string[] | null): void {
    this.writeVector(values, (s) => this.writeString(s));
  }

  /**
   * Writes a vector: its length (-1 for `null`), then each element.
   *
   * @param values The elements, or `null`.
   * @param writeElement Writes one element with this writer.
   * @throws {RangeError} When `values` is not an array.
   */
  writeVector<T>(
    values: readonly T[] | null,
    writeElement: (value: T) => void,
  ): void {
    if (values === null) {
      this.writeInt(-1);
      return;
    }
    if (!Array.isArray(values)) refuse("a vector", values);
    this.writeInt(values.length);
    for (const value of values) writeElement(value);
  }
}
