/**
 * Sockets, behind one small interface so that nothing above knows the
 * runtime. The Node and Deno transports are loaded by `defaultTransport` (or
 * imported from their own entries) so that no runtime module is imported
 * where it does not exist.
 *
 * - `transport.ts`: the `Transport` interface and its handlers.
 * - `select.ts`: the runtime's own transport.
 * - `node.ts`, `deno.ts`, `cloudflare.ts`: one per runtime.
 *
 * @module
 */

export type {
  TlsOptions,
  Transport,
  TransportConnection,
  TransportConnectOptions,
  TransportHandlers,
} from "./transport.ts";
export { defaultTransport } from "./select.ts";
export {
  type CloudflareConnect,
  type CloudflareSocket,
  cloudflareTransport,
} from "./cloudflare.ts";
