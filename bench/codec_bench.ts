/**
 * Micro-benchmarks of the codec and the framing:
 * `deno bench bench/codec_bench.ts`.
 *
 * @module
 */

import { JuteReader } from "../src/jute/reader.ts";
import { JuteWriter } from "../src/jute/writer.ts";
import { FrameDecoder } from "../src/protocol/framing.ts";
import { readGetDataResponse, writeWatchRequest } from "../src/protocol/records_ops.ts";
import { readWatcherEvent } from "../src/protocol/records_session.ts";
import { concatBytes } from "../src/util/bytes.ts";
import {
  writeGetDataResponse,
  writeReplyHeader,
  writeWatcherEvent,
} from "../tests/helpers/server_codec.ts";

const stat = {
  czxid: 0x1_0000_0002n,
  mzxid: 0x1_0000_0005n,
  ctime: 1_700_000_000_123,
  mtime: 1_700_000_004_567,
  version: 3,
  cversion: 2,
  aversion: 1,
  ephemeralOwner: 0n,
  dataLength: 128,
  numChildren: 0,
  pzxid: 0x1_0000_0004n,
};

function encode(write: (w: JuteWriter) => void): Uint8Array {
  const w = new JuteWriter();
  write(w);
  return w.bytes().slice();
}

const getDataResponse = encode((w) => writeGetDataResponse(w, { data: new Uint8Array(128), stat }));
const watcherEvent = encode((w) =>
  writeWatcherEvent(w, { type: 3, state: 3, path: "/services/web/instance-0042" })
);
const chunk = (() => {
  const frames: Uint8Array[] = [];
  let size = 0;
  while (size < 64 * 1024) {
    const f = encode((w) => {
      const start = w.beginFrame();
      writeReplyHeader(w, { xid: -1, zxid: -1n, err: 0 });
      writeWatcherEvent(w, { type: 3, state: 3, path: `/services/web/instance-${size}` });
      w.endFrame(start);
    });
    frames.push(f);
    size += f.length;
  }
  return concatBytes(frames, size);
})();

Deno.bench("encode a GetDataRequest frame", () => {
  const w = new JuteWriter(128);
  const start = w.beginFrame();
  w.writeInt(7);
  w.writeInt(4);
  writeWatchRequest(w, { path: "/services/web/instance-0042", watch: true });
  w.endFrame(start);
});

Deno.bench("decode a GetDataResponse (128-byte data)", () => {
  readGetDataResponse(new JuteReader(getDataResponse));
});

Deno.bench("decode a WatcherEvent", () => {
  readWatcherEvent(new JuteReader(watcherEvent));
});

Deno.bench("cut a 64 KiB chunk of notifications into frames", () => {
  let n = 0;
  new FrameDecoder().push(chunk, () => n++);
});
