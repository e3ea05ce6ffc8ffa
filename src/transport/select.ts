/**
 * Picks the transport of the runtime the client runs in.
 *
 * @module
 */

import type { Transport } from "./transport.ts";

/**
 * The transport for the current runtime: Deno's own sockets under Deno, and
 * `node:net` elsewhere (Node, Bun).
 *
 * @returns The transport.
 */
export async function defaultTransport(): Promise<Transport> {
  if ("Deno" in globalThis) {
    return (await import("./deno.ts")).denoTransport;
  }
  return (await import("./node.ts")).nodeTransport;
}
