import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { connect } from "node:net";
import type { Registry } from "../mod.ts";
import { serve } from "../src/http/mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { serveOn, serverKinds } from "./helpers/http_servers.ts";
import { within } from "./helpers/wait.ts";

/**
 * An event stream opened over a raw socket, which stops reading once the
 * response has begun; `readRest` then reads what the server still sends,
 * until the connection or the response ends.
 */
async function stalledStream(port: number, path: string) {
  const socket = connect({ host: "127.0.0.1", port });
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  socket.setEncoding("latin1");
  let text = "";
  let begun = () => {};
  const opened = new Promise<void>((resolve) => begun = resolve);
  const ended = new Promise<string>((resolve) => {
    const end = (how: string) => {
      socket.destroy();
      resolve(how);
    };
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (text.includes("retry: 1000")) begun();
      // The last chunk of a complete chunked body.
      if (text.endsWith("\r\n0\r\n\r\n")) end("complete");
    });
    socket.on("end", () => end("cut"));
    socket.on("close", () => end("cut"));
    socket.on("error", () => end("cut"));
  });
  await within(opened, "the stream to open");
  socket.pause();
  return {
    async readRest(): Promise<{ how: string; text: string }> {
      socket.resume();
      const how = await within(ended, "the stream's end");
      return { how, text };
    },
    destroy: () => socket.destroy(),
  };
}

describe("The gateway's event streams against a subscriber that stops reading, on a real server", () => {
  const fx = useZooKeeper();
  let registry: Registry;
  let elsewhere: Registry;

  before(async () => {
    registry = await fx.registry();
    elsewhere = await fx.registry();
  });

  for (const [n, kind] of serverKinds().entries()) {
    it(`on ${kind}, its stream is cut and what was queued for it let go`, async () => {
      const path = `/services/stall${n}/i1`;
      await elsewhere.setNode(path, { address: "10.0.0.9" });
      const gateway = serve(registry, { limits: { maxQueuedBytes: 65_536 } });
      const http = await serveOn(kind, gateway);
      const metric = async (line: RegExp) =>
        line.exec(await (await fetch(`${http.url}/metrics`)).text())?.[1];
      let stream: Awaited<ReturnType<typeof stalledStream>> | undefined;
      try {
        stream = await stalledStream(http.port, `/v1/watch/stall${n}`);
        const big = "x".repeat(256 * 1024);
        // Each change is an event of 256 KiB: the socket's buffers fill, then
        // the stream's queue, until the stream passes its budget.
        for (let i = 0;; i++) {
          assert.ok(i < 400, "the stream was never cut");
          await elsewhere.setNode(path, { address: "10.0.0.9", payload: `${i}${big}` });
          if (await metric(/^http_open\{kind="event_stream"\} (\d+)$/m) === "0") break;
        }
        assert.equal(await metric(/^http_event_stream_queued_bytes (\d+)$/m), "0");
        const { how, text } = await stream.readRest();
        assert.match(text, /^HTTP\/1\.1 200 /);
        assert.equal(how, "cut", "the stream ended as if complete");
      } finally {
        stream?.destroy();
        await gateway.close();
        await http.close();
        await elsewhere.unset(path);
      }
    });
  }
});
