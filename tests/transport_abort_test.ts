import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { type CloudflareSocket, cloudflareTransport } from "../src/transport/cloudflare.ts";
import { denoTransport } from "../src/transport/deno.ts";
import type { Transport } from "../src/transport/transport.ts";

const handlers = { data: () => {}, closed: () => {} };

async function rejectsOnAbort(transport: Transport, port: number, tls: boolean): Promise<void> {
  const abort = new AbortController();
  const connecting = transport.connect({
    host: "127.0.0.1",
    port,
    tls: tls ? { serverName: "zk.example" } : undefined,
    signal: abort.signal,
  }, handlers);
  setTimeout(() => abort.abort(new Error("given up")), 50);
  const outcome = await Promise.race([
    connecting.then(() => "connected", (e: Error) => `rejected: ${e.message}`),
    new Promise((r) => setTimeout(() => r("still waiting"), 2000)),
  ]);
  assert.equal(outcome, "rejected: given up");
}

describe("Transport abort signals", () => {
  it("cloudflareTransport stops waiting for the socket to open", async () => {
    let closed = false;
    const socket: CloudflareSocket = {
      readable: new ReadableStream(),
      writable: new WritableStream(),
      opened: new Promise(() => {}),
      closed: new Promise(() => {}),
      close: () => {
        closed = true;
        return Promise.resolve();
      },
    };
    await rejectsOnAbort(cloudflareTransport(() => socket), 1, false);
    assert.equal(closed, true);
  });

  it("denoTransport stops starting TLS for another server name", {
    skip: !("Deno" in globalThis),
  }, async () => {
    // A server that accepts the connection, and a startTls that never
    // finishes, as a handshake with a server that never answers.
    const sockets: Socket[] = [];
    const server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const deno = (globalThis as unknown as { Deno: { startTls: unknown } }).Deno;
    const startTls = deno.startTls;
    deno.startTls = () => new Promise(() => {});
    try {
      await rejectsOnAbort(denoTransport, port, true);
      // The plain connection under it is closed.
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(sockets.every((s) => s.readableEnded || s.destroyed));
    } finally {
      deno.startTls = startTls;
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
