/**
 * Decoding of jute records from a frame's bytes, bounds-checked so that a short
 * or hostile buffer is a `RangeError`, never a crash, a hang or a huge
 * allocation.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-jute/src/main/java/org/apache/jute/BinaryInputArchive.java
 * @module
 */

const decoder = new TextDecoder();
const TWO_32 = 4294967296;
// Longs decoded as bigint go through this one view: a reader per frame then
// costs no DataView of its own, and ints are read with shifts.
const longBytes = new Uint8Array(8);
const longView = new DataView(longBytes.buffer);

/** Up to six ASCII bytes as a string, made in one call. */
function ascii(b: Uint8Array, at: number, n: number): string {
  const f = String.fromCharCode;
  switch (n) {
    case 0:
      return "";
    case 1:
      return f(b[at]);
    case 2:
      return f(b[at], b[at + 1]);
    case 3:
      return f(b[at], b[at + 1], b[at + 2]);
    case 4:
      return f(b[at], b[at + 1], b[at + 2], b[at + 3]);
    case 5:
      return f(b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4]);
    default:
      return f(b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4], b[at + 5]);
  }
}

/**
 * A big-endian reader over one frame's payload. Buffers it returns are copies:
 * the input may be a transport's read buffer, reused once the frame is decoded.
 */
export class JuteReader {
  #bytes!: Uint8Array;
  #start = 0;
  #end = 0;
  #pos = 0;

  /**
   * @param bytes The bytes to decode.
   * @param start Where the record starts in `bytes` (0 when omitted).
   * @param end Where it ends (the end of `bytes` when omitted).
   */
  constructor(bytes: Uint8Array, start = 0, end: number = bytes.byteLength) {
    this.reset(bytes, start, end);
  }

  /**
   * Turns to another record, as a new reader would: one reader can read
   * every frame received, each whole before the next.
   *
   * @param bytes The bytes to decode.
   * @param start Where the record starts in `bytes`.
   * @param end Where it ends.
   */
  reset(bytes: Uint8Array, start: number, end: number): void {
    // A subclass (Node's Buffer, whose slice is a view) becomes a plain view,
    // so that readBuffer's slice is a copy and a Uint8Array.
    this.#bytes = bytes.constructor === Uint8Array
      ? bytes
      : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#start = start;
    this.#pos = start;
    this.#end = end;
  }

  /** Offset of the next byte to read, from the record's start. */
  get offset(): number {
    return this.#pos - this.#start;
  }

  /** Number of bytes left to read. */
  get remaining(): number {
    return this.#end - this.#pos;
  }

  #need(n: number, what: string): void {
    if (this.#end - this.#pos < n) {
      throw new RangeError(
        `Cannot read ${what} at offset ${this.offset}: needs ${n} bytes, ${
          this.#end - this.#pos
        } left`,
      );
    }
  }

  /** Reads a 32-bit signed int. */
  readInt(): number {
    this.#need(4, "an int");
    const b = this.#bytes;
    const p = this.#pos;
    this.#pos = p + 4;
    return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
  }

  /** Reads a 64-bit signed long as a `bigint`. */
  readLong(): bigint {
    this.#need(8, "a long");
    const p = this.#pos;
    const b = this.#bytes;
    this.#pos = p + 8;
    // Zero (a persistent node's owner) is one shared value, not a new bigint.
    if ((b[p] | b[p + 1] | b[p + 2] | b[p + 3] | b[p + 4] | b[p + 5] | b[p + 6] | b[p + 7]) === 0) {
      return 0n;
    }
    for (let i = 0; i < 8; i++) longBytes[i] = b[p + i];
    return longView.getBigInt64(0);
  }

  /**
   * Reads a 64-bit signed long as a `number`, for values that are small by
   * nature (times in milliseconds, counts).
   *
   * @throws {RangeError} When the value is not a safe integer.
   */
  readLongNumber(): number {
    this.#need(8, "a long");
    const b = this.#bytes;
    const p = this.#pos;
    const hi = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
    const lo = ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]) >>> 0;
    const value = hi * TWO_32 + lo;
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(
        `Cannot read the long at offset ${this.offset} as a number: ${value} is not a safe integer`,
      );
    }
    this.#pos += 8;
    return value;
  }

  /** Reads a one-byte boolean: any non-zero byte is `true`. */
  readBool(): boolean {
    this.#need(1, "a boolean");
    return this.#bytes[this.#pos++] !== 0;
  }

  #length(what: string): number {
    const n = this.readInt();
    if (n < -1) {
      throw new RangeError(
        `Cannot read ${what} at offset ${this.offset - 4}: negative length ${n}`,
      );
    }
    if (n > this.#end - this.#pos) {
      throw new RangeError(
        `Cannot read ${what} at offset ${this.offset - 4}: length ${n} exceeds the ${
          this.#end - this.#pos
        } bytes left`,
      );
    }
    return n;
  }

  /** Reads a length-prefixed buffer (a copy), `null` for length -1. */
  readBuffer(): Uint8Array | null {
    const n = this.#length("a buffer");
    if (n === -1) return null;
    const value = this.#bytes.slice(this.#pos, this.#pos + n);
    this.#pos += n;
    return value;
  }

  /** Reads a length-prefixed UTF-8 string, `null` for length -1. */
  readString(): string | null {
    const n = this.#length("a string");
    if (n === -1) return null;
    const start = this.#pos;
    this.#pos += n;
    // Names are short and almost always ASCII: made from the bytes in one
    // call, a name costs no TextDecoder call, no view and no string per
    // character.
    if (n <= 12) {
      const b = this.#bytes;
      let high = 0;
      for (let i = start; i < start + n; i++) high |= b[i];
      if (high < 0x80) {
        return n <= 6 ? ascii(b, start, n) : ascii(b, start, 6) + ascii(b, start + 6, n - 6);
      }
    }
    return decoder.decode(this.#bytes.subarray(start, start + n));
  }

  /**
   * Reads a vector's length and then each element.
   *
   * @param readElement Reads one element with this reader.
   * @param minElementSize The fewest bytes one element can take, to refuse a
   *   count that the remaining bytes cannot hold before allocating for it.
   * @returns The elements, or `null` for length -1.
   */
  readVector<T>(readElement: () => T, minElementSize: number): T[] | null {
    const n = this.readInt();
    if (n === -1) return null;
    if (n < 0 || n * minElementSize > this.#end - this.#pos) {
      throw new RangeError(
        `Cannot read a vector at offset ${this.offset - 4}: count ${n} does not fit the ${
          this.#end - this.#pos
        } bytes left`,
      );
    }
    const values = new Array<T>(n);
    for (let i = 0; i < n; i++) values[i] = readElement();
    return values;
  }

  /** Reads a vector of strings, `null` for length -1. */
  readStringVector(): string[] | null {
    return this.readVector(() => this.readNonNullString("a vector element"), 4);
  }

  /**
   * Reads a string that the protocol never leaves null (a path, a child name).
   *
   * @param what The field, for the message.
   * @throws {RangeError} When the string is null.
   */
  readNonNullString(what: string): string {
    const at = this.offset;
    const value = this.readString();
    if (value === null) {
      throw new RangeError(
        `Cannot read ${what} at offset ${at}: unexpected null string`,
      );
    }
    return value;
  }

  /**
   * Checks that every byte was consumed.
   *
   * @param what The record, for the message.
   * @throws {RangeError} When bytes are left over.
   */
  expectEnd(what: string): void {
    if (this.#pos !== this.#end) {
      throw new RangeError(
        `Unexpected ${this.#end - this.#pos} trailing bytes after ${what}`,
      );
    }
  }
}
