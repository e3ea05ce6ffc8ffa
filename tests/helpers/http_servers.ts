/**
 * The gateway on each HTTP server the running runtime has (`Deno.serve`,
 * `Bun.serve`, and the `node:http` adapter everywhere), and a raw socket
 * client that sends bytes as written and reports how the connection ended;
 * and a gateway on a socket with a second registry to register elsewhere.
 *
 * @module
 */

import { connect, type Socket } from "node:net";
import type { Registry } from "../../mod.ts";
import { type Gateway, serve, type ServeOptions } from "../../src/http/mod.ts";
import { type HttpListener, listen } from "../../src/http/node.ts";
import type { ZkSession } from "./fixture.ts";

/** A handler served on a loopback port. */
export interface ServedHandler {
  /** Which server: `Deno.serve`, `Bun.serve` or `node:http`. */
  readonly kind: string;
  readonly port: number;
  /** `http://127.0.0.1:port`. */
  readonly url: string;
  close(): Promise<void>;
}

type Handler = (request: Request) => Promise<Response>;

interface DenoServe {
  serve(
    options: { hostname: string; port: number; onListen: () => void },
    handler: Handler,
  ): { addr: { port: number }; shutdown(): Promise<void> };
}

interface BunServe {
  serve(options: { hostname: string; port: number; fetch: Handler }): {
    port: number;
    stop(force: boolean): Promise<void> | void;
  };
}

/** @returns The servers of this runtime, the `node:http` adapter last. */
export function serverKinds(): string[] {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno !== undefined) return ["Deno.serve", "node:http"];
  if (g.Bun !== undefined) return ["Bun.serve", "node:http"];
  return ["node:http"];
}

/**
 * Serves a handler on 127.0.0.1, on a free port.
 *
 * @param kind One of {@linkcode serverKinds}.
 * @param handler The handler.
 * @returns The server.
 */
export async function serveOn(kind: string, handler: Handler): Promise<ServedHandler> {
  const url = (port: number) => `http://127.0.0.1:${port}`;
  if (kind === "Deno.serve") {
    const deno = (globalThis as unknown as { Deno: DenoServe }).Deno;
    const server = deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
    const port = server.addr.port;
    return { kind, port, url: url(port), close: () => server.shutdown() };
  }
  if (kind === "Bun.serve") {
    const bun = (globalThis as unknown as { Bun: BunServe }).Bun;
    const server = bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handler });
    return {
      kind,
      port: server.port,
      url: url(server.port),
      close: () => Promise.resolve(server.stop(true)),
    };
  }
  const server = await listen(handler, { port: 0 });
  return { kind, port: server.port, url: server.url, close: () => server.close() };
}

/** What a raw exchange got back. */
export interface RawReply {
  /** Everything received, as latin1 text. */
  text: string;
  /** The status of the first final response, or 0. */
  status: number;
  /** `end` (the server closed), `error` (reset), or `open` (the test closed it). */
  ending: "end" | "error" | "open";
}

/** Options of {@linkcode rawExchange}. */
export interface RawExchangeOptions {
  /** Written after the head, as they come. */
  body?: Uint8Array[];
  /** Ends the exchange once this much of the reply is in (the client hangs up). */
  until?: (text: string) => boolean;
  /** Gives up waiting for the server after this many ms, with `ending: "open"`. */
  timeout?: number;
  /** Hangs up when aborted. */
  signal?: AbortSignal;
  /** Sends the body only after the server's `100 Continue`, as curl does. */
  waitForContinue?: boolean;
  /** Writes each body chunk after the previous one is flushed (a slow sender). */
  slow?: boolean;
  /** Never reads the reply (a client that stops reading); resolves on close or timeout. */
  neverRead?: boolean;
}

/**
 * Sends a request as written and reads until the server closes the
 * connection, `until` holds, or the timeout passes.
 *
 * @param port The server's port.
 * @param head The request line and headers, with the blank line.
 * @param options Body chunks, when to hang up, how long to wait.
 * @returns The reply.
 */
export function rawExchange(
  port: number,
  head: string,
  options: RawExchangeOptions = {},
): Promise<RawReply> {
  return new Promise((resolve) => {
    let text = "";
    let done = false;
    let proceed = () => {};
    const continued = new Promise<void>((resolve) => proceed = resolve);
    const socket: Socket = connect({ host: "127.0.0.1", port }, async () => {
      socket.write(head);
      if (options.waitForContinue) await continued;
      for (const chunk of options.body ?? []) {
        if (done) return;
        if (!options.slow) socket.write(chunk);
        else await new Promise((resolve) => socket.write(chunk, resolve));
      }
    });
    const finish = (ending: RawReply["ending"]) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      // The final status, after any 100 Continue.
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.1 (\d{3}) /g)].map((m) =>
        Number(m[1])
      );
      const status = statuses.find((s) => s >= 200) ?? 0;
      resolve({ text, status, ending });
    };
    const timer = setTimeout(() => finish("open"), options.timeout ?? 10_000);
    options.signal?.addEventListener("abort", () => finish("open"), { once: true });
    if (options.neverRead) socket.pause();
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (/^HTTP\/1\.1 100 /.test(text)) proceed();
      if (options.until?.(text)) finish("open");
    });
    socket.on("end", () => finish("end"));
    socket.on("error", () => finish("error"));
    socket.on("close", () => finish("end"));
  });
}

/** A gateway on a loopback socket, and a registry of its own that writes elsewhere. */
export interface GatewayOnSocket {
  /** The registry the gateway serves. */
  registry: Registry;
  /** Another registry on the same server, for registrations made elsewhere. */
  elsewhere: Registry;
  /** The gateway. */
  gateway: Gateway;
  /** Its `node:http` listener on 127.0.0.1, on a free port. */
  http: HttpListener;
}

/**
 * Serves a registry of the fixture on a socket; closed with the fixture.
 *
 * @param fx The fixture.
 * @param prepare Runs with the registry that writes elsewhere, before the gateway starts.
 * @param options The gateway's options.
 * @returns The gateway and its registries.
 */
export async function gatewayOnSocket(
  fx: Pick<ZkSession, "registry" | "defer">,
  prepare: (elsewhere: Registry) => Promise<void>,
  options?: ServeOptions,
): Promise<GatewayOnSocket> {
  const registry = await fx.registry();
  const elsewhere = await fx.registry();
  await prepare(elsewhere);
  const gateway = serve(registry, options);
  const http = await listen(gateway, { port: 0 }).catch(async (error) => {
    await gateway.close();
    throw error;
  });
  // The gateway first: it ends its event streams, which the listener waits for.
  fx.defer(async () => {
    await gateway.close();
    await http.close();
  });
  return { registry, elsewhere, gateway, http };
}
