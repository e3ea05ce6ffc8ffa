import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { JuteReader } from "../src/jute/reader.ts";
import { JuteWriter } from "../src/jute/writer.ts";
import { readStat } from "../src/protocol/records_data.ts";
import { readConnectResponse } from "../src/protocol/records_session.ts";
import { readGetChildren2Response, readGetDataResponse } from "../src/protocol/records_ops.ts";
import { readMultiResponse } from "../src/protocol/multi.ts";
import {
  writeConnectResponse,
  writeGetChildren2Response,
  writeGetDataResponse,
  writeMultiResponse,
  writeStat,
} from "./helpers/server_codec.ts";
import { seededRandom as prng } from "./helpers/random.ts";

const stat = {
  czxid: 0x1_0000_0002n,
  mzxid: 0x1_0000_0005n,
  ctime: 1_700_000_000_123,
  mtime: 1_700_000_004_567,
  version: 3,
  cversion: 2,
  aversion: 1,
  ephemeralOwner: 0x1234_5678_9abcn,
  dataLength: 11,
  numChildren: 2,
  pzxid: 0x1_0000_0004n,
};

function bytesOf(write: (w: JuteWriter) => void): Uint8Array {
  const w = new JuteWriter(4);
  write(w);
  return w.bytes().slice();
}

describe("JuteWriter and JuteReader", () => {
  it("JuteReader.readInt() round-trips the int range's edges", () => {
    const values = [0, 1, -1, 0x7fffffff, -0x80000000, 123456789];
    const r = new JuteReader(bytesOf((w) => values.forEach((v) => w.writeInt(v))));
    assert.deepEqual(values.map(() => r.readInt()), values);
    assert.equal(r.remaining, 0);
  });

  it("JuteReader.readLong() decodes negative values and the long range's edges", () => {
    const values = [0n, -1n, 0x7fffffffffffffffn, -0x8000000000000000n, 1n << 53n];
    const r = new JuteReader(bytesOf((w) => values.forEach((v) => w.writeLong(v))));
    assert.deepEqual(values.map(() => r.readLong()), values);
  });

  it("JuteWriter.writeLong() takes safe numbers, negative ones included", () => {
    const values = [0, -1, -(2 ** 40) + 7, 2 ** 53 - 1, -(2 ** 53 - 1)];
    const r = new JuteReader(bytesOf((w) => values.forEach((v) => w.writeLong(v))));
    assert.deepEqual(values.map(() => Number(r.readLong())), values);
    assert.throws(() => new JuteWriter().writeLong(2 ** 53), /not a safe integer/);
  });

  it("JuteReader.readLongNumber() refuses values that are not safe integers", () => {
    const r = new JuteReader(bytesOf((w) => {
      w.writeLong(1_700_000_000_000);
      w.writeLong((1n << 53n) + 1n);
    }));
    assert.equal(r.readLongNumber(), 1_700_000_000_000);
    assert.throws(() => r.readLongNumber(), /not a safe integer/);
  });

  it("booleans are one byte, any non-zero byte reading as true", () => {
    assert.deepEqual(
      bytesOf((w) => (w.writeBool(true), w.writeBool(false))),
      new Uint8Array([1, 0]),
    );
    const r = new JuteReader(new Uint8Array([2, 0]));
    assert.equal(r.readBool(), true);
    assert.equal(r.readBool(), false);
  });

  it("buffers: null as length -1, empty, and large ones through growth", () => {
    const big = new Uint8Array(100_000).map((_, i) => i & 0xff);
    const r = new JuteReader(bytesOf((w) => {
      w.writeBuffer(null);
      w.writeBuffer(new Uint8Array(0));
      w.writeBuffer(big);
    }));
    assert.equal(r.readBuffer(), null);
    assert.equal(r.readBuffer()?.length, 0);
    assert.deepEqual(r.readBuffer(), big);
  });

  it("JuteReader.readBuffer() returns a plain Uint8Array copy, even from a Buffer", () => {
    // Transports may read the next bytes into the same memory once a frame is
    // decoded, and Node's Buffer.slice is a view, not a copy.
    const frame = Buffer.from(bytesOf((w) => w.writeBuffer(new Uint8Array([1, 2, 3]))));
    const value = new JuteReader(frame).readBuffer()!;
    frame.fill(9);
    assert.equal(Object.getPrototypeOf(value), Uint8Array.prototype);
    assert.deepEqual(value, new Uint8Array([1, 2, 3]));
  });

  it("JuteReader reads negative ints and longs across the sign bit", () => {
    const r = new JuteReader(bytesOf((w) => {
      w.writeInt(-2);
      w.writeInt(-0x80000000);
      w.writeLong(-3n);
      w.writeLong(0x7fff_ffff_ffff_ffffn);
      w.writeLong(-1n);
    }));
    assert.equal(r.readInt(), -2);
    assert.equal(r.readInt(), -0x80000000);
    assert.equal(r.readLong(), -3n);
    assert.equal(r.readLong(), 0x7fff_ffff_ffff_ffffn);
    assert.equal(r.readLongNumber(), -1);
  });

  it("strings: null, empty, ASCII, and multi-byte UTF-8 short and long", () => {
    const values = [
      "",
      "/a/b",
      "/ünïcødé/日本",
      "é".repeat(100),
      "x".repeat(65),
      "/🦀",
      "x".repeat(12),
      "y".repeat(13),
      "/zwölf-zeich",
      "é",
      // Every length around the short names' cases.
      ...Array.from({ length: 15 }, (_, n) => "/abcdefghijklmn".slice(0, n)),
    ];
    const r = new JuteReader(bytesOf((w) => {
      w.writeString(null);
      values.forEach((v) => w.writeString(v));
    }));
    assert.equal(r.readString(), null);
    assert.deepEqual(values.map(() => r.readString()), values);
    assert.deepEqual(
      bytesOf((w) => w.writeString("é")),
      new Uint8Array([0, 0, 0, 2, 0xc3, 0xa9]),
    );
  });

  it("vectors: null, empty and many elements", () => {
    const many = Array.from({ length: 1000 }, (_, i) => `child-${i}`);
    const r = new JuteReader(bytesOf((w) => {
      w.writeStringVector(null);
      w.writeStringVector([]);
      w.writeStringVector(many);
    }));
    assert.equal(r.readStringVector(), null);
    assert.deepEqual(r.readStringVector(), []);
    assert.deepEqual(r.readStringVector(), many);
  });

  it("beginFrame()/endFrame() write the payload's length in the prefix", () => {
    const w = new JuteWriter(2);
    const start = w.beginFrame();
    w.writeInt(7);
    w.writeString("abc");
    assert.equal(w.endFrame(start), 11);
    assert.deepEqual([...w.bytes().slice(0, 4)], [0, 0, 0, 11]);
  });

  it("a short buffer is a RangeError that says what was being read", () => {
    assert.throws(
      () => new JuteReader(new Uint8Array(3)).readInt(),
      (e: unknown) =>
        e instanceof RangeError &&
        /Cannot read an int at offset 0: needs 4 bytes, 3 left/.test(e.message),
    );
    assert.throws(() => new JuteReader(new Uint8Array(7)).readLong(), RangeError);
    assert.throws(() => new JuteReader(new Uint8Array(0)).readBool(), RangeError);
  });

  it("a negative length other than -1 is a RangeError", () => {
    const bytes = bytesOf((w) => w.writeInt(-2));
    assert.throws(() => new JuteReader(bytes).readBuffer(), /negative length -2/);
    assert.throws(() => new JuteReader(bytes).readString(), /negative length -2/);
  });

  it("a length beyond the bytes left is a RangeError, before anything is allocated", () => {
    const bytes = bytesOf((w) => {
      w.writeInt(0x7fffffff);
      w.writeInt(0);
    });
    assert.throws(() => new JuteReader(bytes).readBuffer(), /exceeds the 4 bytes left/);
    assert.throws(() => new JuteReader(bytes).readStringVector(), /does not fit/);
  });

  it("a reader over part of the bytes reads only that part, offsets counted from its start", () => {
    const record = bytesOf((w) => {
      w.writeInt(7);
      w.writeString("/a");
    });
    const bytes = new Uint8Array(record.length + 6).fill(0xff);
    bytes.set(record, 3);
    const r = new JuteReader(bytes, 3, 3 + record.length);
    assert.equal(r.readInt(), 7);
    assert.equal(r.offset, 4);
    assert.equal(r.readString(), "/a");
    assert.equal(r.remaining, 0);
    r.expectEnd("a record");
    assert.throws(() => r.readBool(), /Cannot read a boolean at offset 10: needs 1 bytes, 0 left/);
  });

  it("reset() turns a reader to another record, as a new reader would", () => {
    const first = bytesOf((w) => w.writeString("/first"));
    const second = bytesOf((w) => {
      w.writeInt(1);
      w.writeInt(2);
    });
    const r = new JuteReader(first);
    r.readInt();
    r.reset(second, 4, 8);
    assert.equal(r.offset, 0);
    assert.equal(r.remaining, 4);
    assert.equal(r.readInt(), 2);
    r.expectEnd("the second record");
    r.reset(first, 0, first.length);
    assert.equal(r.readString(), "/first");
  });

  it("expectEnd() refuses trailing bytes", () => {
    const r = new JuteReader(new Uint8Array(5));
    r.readInt();
    assert.throws(() => r.expectEnd("a record"), /1 trailing bytes after a record/);
  });
});

describe("Decoding hostile input", () => {
  const samples: [string, Uint8Array, (r: JuteReader) => unknown][] = [
    ["Stat", bytesOf((w) => writeStat(w, stat)), readStat],
    [
      "ConnectResponse",
      bytesOf((w) =>
        writeConnectResponse(w, {
          protocolVersion: 0,
          timeOut: 10_000,
          sessionId: 0x1234n,
          passwd: new Uint8Array(16).fill(7),
          readOnly: false,
        })
      ),
      readConnectResponse,
    ],
    [
      "GetDataResponse",
      bytesOf((w) => writeGetDataResponse(w, { data: new Uint8Array(40).fill(1), stat })),
      readGetDataResponse,
    ],
    [
      "GetChildren2Response",
      bytesOf((w) => writeGetChildren2Response(w, { children: ["a", "bb", "ccc"], stat })),
      readGetChildren2Response,
    ],
    [
      "MultiResponse",
      bytesOf((w) =>
        writeMultiResponse(w, [
          { type: 1, err: 0, body: { path: "/a" } },
          { type: 5, err: 0, body: { stat } },
          { type: -1, err: -101, body: { err: -101 } },
          { type: 8, err: 0, body: { children: ["x", "y"] } },
        ])
      ),
      readMultiResponse,
    ],
  ];

  for (const [name, bytes, read] of samples) {
    it(`every truncation of a ${name} is a RangeError, never a crash`, () => {
      read(new JuteReader(bytes));
      for (let n = 0; n < bytes.length; n++) {
        const cut = bytes.subarray(0, n);
        try {
          read(new JuteReader(cut));
          // A prefix may decode when the cut falls after an optional field.
          assert.ok(name === "ConnectResponse" && n === bytes.length - 1, `${name} cut at ${n}`);
        } catch (error) {
          assert.ok(error instanceof RangeError, `${name} cut at ${n}: ${error}`);
        }
      }
    });

    it(`random mutations of a ${name} decode or throw RangeError`, () => {
      const random = prng(name.length * 7919);
      for (let round = 0; round < 2000; round++) {
        const mutated = bytes.slice();
        for (let k = 1 + Math.floor(random() * 4); k > 0; k--) {
          mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
        }
        try {
          read(new JuteReader(mutated));
        } catch (error) {
          assert.ok(error instanceof RangeError, `${name} round ${round}: ${error}`);
        }
      }
    });
  }
});
