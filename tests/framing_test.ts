import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { FrameDecoder } from "../src/protocol/framing.ts";

function frame(payload: number[]): number[] {
  const n = payload.length;
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff, ...payload];
}

function collect(
  decoder: FrameDecoder,
  chunks: Uint8Array[],
  onOversized?: (head: Uint8Array, length: number) => void,
): number[][] {
  const out: number[][] = [];
  for (const chunk of chunks) decoder.push(chunk, (f) => out.push([...f]), onOversized);
  return out;
}

// The same through pushInPlace, which names each payload's place in its bytes.
function collectInPlace(decoder: FrameDecoder, chunks: Uint8Array[]): number[][] {
  const out: number[][] = [];
  const sink = {
    frame: (bytes: Uint8Array, start: number, end: number) =>
      out.push([...bytes.subarray(start, end)]),
  };
  for (const chunk of chunks) decoder.pushInPlace(chunk, sink);
  return out;
}

const payloads = [[1, 2, 3], [], [9], Array.from({ length: 300 }, (_, i) => i & 0xff), [4, 5]];
const stream = new Uint8Array(payloads.flatMap(frame));

describe("FrameDecoder", () => {
  it("cuts many frames out of one chunk", () => {
    assert.deepEqual(collect(new FrameDecoder(), [stream]), payloads);
  });

  it("gives the same frames when fed one byte at a time", () => {
    const chunks = [...stream].map((b) => new Uint8Array([b]));
    assert.deepEqual(collect(new FrameDecoder(), chunks), payloads);
  });

  it("gives the same frames for random chunk boundaries", () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let round = 0; round < 200; round++) {
      const chunks: Uint8Array[] = [];
      for (let off = 0; off < stream.length;) {
        const n = 1 + Math.floor(random() * 40);
        chunks.push(stream.slice(off, off + n));
        off += n;
      }
      assert.deepEqual(collect(new FrameDecoder(), chunks), payloads, `round ${round}`);
      assert.deepEqual(collectInPlace(new FrameDecoder(), chunks), payloads, `round ${round}`);
    }
  });

  it("holds back a frame split inside its length prefix", () => {
    const decoder = new FrameDecoder();
    const bytes = new Uint8Array(frame([7, 8]));
    assert.deepEqual(collect(decoder, [bytes.subarray(0, 2)]), []);
    assert.equal(decoder.buffered, 2);
    assert.deepEqual(collect(decoder, [bytes.subarray(2)]), [[7, 8]]);
    assert.equal(decoder.buffered, 0);
  });

  it("hands out frames inside one chunk as views of it, without a copy", () => {
    const views: Uint8Array[] = [];
    new FrameDecoder().push(stream, (f) => views.push(f));
    assert.deepEqual(views.map((v) => [...v]), payloads, "every frame, in order");
    assert.ok(views.every((v) => v.buffer === stream.buffer), "views of the chunk");
  });

  it("copies a frame spread over many chunks once, into a buffer of its size", () => {
    const big = new Uint8Array(frame(Array.from({ length: 10_000 }, (_, i) => i & 0xff)));
    const decoder = new FrameDecoder();
    const out: Uint8Array[] = [];
    for (let off = 0; off < big.length; off += 1000) {
      decoder.push(big.slice(off, off + 1000), (f) => out.push(f));
      if (off + 1000 < big.length) assert.equal(decoder.buffered, off + 1000);
    }
    assert.equal(out.length, 1);
    assert.equal(out[0].byteLength, 10_000);
    assert.equal(out[0].buffer.byteLength, 10_000);
    assert.deepEqual(out[0], big.subarray(4));
  });

  it("accepts a frame at the maximum size and refuses one byte more", () => {
    const at = new Uint8Array(frame(Array(100).fill(1)));
    assert.equal(collect(new FrameDecoder(100), [at]).length, 1);
    const over = new Uint8Array(frame(Array(101).fill(1)));
    assert.throws(
      () => collect(new FrameDecoder(100), [over]),
      (e: unknown) => e instanceof RangeError && /Frame length 101 is out of range/.test(e.message),
    );
  });

  it("refuses a negative length", () => {
    assert.throws(
      () => collect(new FrameDecoder(), [new Uint8Array([0xff, 0xff, 0xff, 0xfe])]),
      RangeError,
    );
  });

  it("passes over a frame above the maximum, handing out its head, in any chunking", () => {
    const big = Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    const bytes = new Uint8Array([...frame([1]), ...frame(big), ...frame([2, 3])]);
    for (const size of [1, 5, 17, 64, bytes.length]) {
      const heads: [number[], number][] = [];
      const decoder = new FrameDecoder(100);
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      const onOversized = (head: Uint8Array, length: number) => heads.push([[...head], length]);
      assert.deepEqual(collect(decoder, chunks, onOversized), [[1], [2, 3]], `chunks of ${size}`);
      assert.deepEqual(heads, [[big.slice(0, 16), 300]]);
      assert.equal(decoder.buffered, 0);
    }
  });

  it("refuses to go on passing over a frame for a sink that cannot be told of it", () => {
    const big = new Uint8Array(4 + 300);
    new DataView(big.buffer).setInt32(0, 300);
    const decoder = new FrameDecoder(100);
    decoder.push(big.subarray(0, 10), () => {}, () => {});
    assert.throws(() => decoder.push(big.subarray(10), () => {}), RangeError);
  });
});
