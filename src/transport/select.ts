/**
 * Picks the transport of the runtime the client runs in.
 *
 * @module
 */

import type { Transport } from "./transport.ts";

// Named through a variable so that Deno, Node and bundlers leave it alone:
// only workerd can resolve it.
const CLOUDFLARE_SOCKETS = ["cloudflare", "sockets"].join(":");

/**
 * The transport for the current runtime: Deno's own sockets under Deno,
 * `cloudflare:sockets` in Cloudflare Workers, and `node:net` elsewhere (Node,
 * Bun).
 *
 * @returns The transport.
 */
export async function defaultTransport(): Promise<Transport> {
  return chosen ??= await runtimeTransport();
}

// Picked once: a dynamic import on every connect costs each client a few
// kilobytes of garbage.
let chosen: Transport | undefined;

async function runtimeTransport(): Promise<Transport> {
  if ("Deno" in globalThis) {
    return (await import("./deno.ts")).denoTransport;
  }
  if (
    (globalThis as { navigator?: { userAgent?: string | undefined } | undefined }).navigator
      ?.userAgent ===
      "Cloudflare-Workers"
  ) {
    const sockets = await import(CLOUDFLARE_SOCKETS);
    return (await import("./cloudflare.ts")).cloudflareTransport(sockets.connect);
  }
  return (await import("./node.ts")).nodeTransport;
}
