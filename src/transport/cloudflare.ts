/**
 * The transport for Cloudflare Workers (workerd), over `connect()` from
 * `cloudflare:sockets`.
 *
 * TLS uses the platform's trust store (`secureTransport: "on"`): a custom CA,
 * a client certificate and another server name are not supported there.
 *
 * @example A Worker reading a node (give it `connect` from `cloudflare:sockets`)
 * ```ts
 * import { ZooKeeper } from "@nd/service-registry";
 * import {
 *   type CloudflareConnect,
 *   cloudflareTransport,
 * } from "@nd/service-registry/transport/cloudflare";
 *
 * export function worker(connect: CloudflareConnect): { fetch(): Promise<Response> } {
 *   const transport = cloudflareTransport(connect);
 *   return {
 *     async fetch() {
 *       await using zk = await ZooKeeper.connect("zk.internal:2181", { transport });
 *       const { data } = await zk.getData("/config/web");
 *       return new Response(new TextDecoder().decode(data));
 *     },
 *   };
 * }
 * ```
 *
 * @module
 */

import { abortable, abortReason } from "../util/abortable.ts";
import type {
  Transport,
  TransportConnection,
  TransportConnectOptions,
  TransportHandlers,
} from "./transport.ts";

export type { Transport } from "./transport.ts";

/** The part of a `cloudflare:sockets` socket this transport uses. */
export interface CloudflareSocket {
  /** Bytes from the server. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the server. */
  readonly writable: WritableStream<Uint8Array>;
  /** Settles once the connection is made, or fails. */
  readonly opened: Promise<unknown>;
  /** Settles once the connection has ended. */
  readonly closed: Promise<void>;
  /** Closes the connection. */
  close(): Promise<void>;
}

/** `connect` of `cloudflare:sockets`. */
export type CloudflareConnect = (
  address: { hostname: string; port: number },
  options?: {
    secureTransport?: "off" | "on" | "starttls" | undefined;
    allowHalfOpen?: boolean | undefined;
  },
) => CloudflareSocket;

/**
 * A {@linkcode Transport} over a Workers `connect` function.
 *
 * @param connect `connect` from `cloudflare:sockets`.
 * @returns The transport.
 *
 * @example In a Worker
 * ```ts ignore
 * import { connect } from "cloudflare:sockets";
 * import { cloudflareTransport, ZooKeeper } from "@nd/service-registry";
 * const zk = await ZooKeeper.connect(env.ZK_SERVERS, { transport: cloudflareTransport(connect) });
 * ```
 */
export function cloudflareTransport(connect: CloudflareConnect): Transport {
  return {
    async connect(
      options: TransportConnectOptions,
      handlers: TransportHandlers,
    ): Promise<TransportConnection> {
      if (options.tls && (options.tls.caCerts || options.tls.cert || options.tls.serverName)) {
        throw new Error(
          "Workers' TLS uses the platform's trust store: caCerts, cert and serverName are not supported",
        );
      }
      const socket = connect(
        { hostname: options.host, port: options.port },
        { secureTransport: options.tls ? "on" : "off" },
      );
      // Workers' connect takes no signal: an abort closes the socket.
      await abortable(socket.opened, options.signal, (aborted) => {
        socket.close().catch(() => {});
        return abortReason(aborted);
      });
      const writer = socket.writable.getWriter();
      const reader = socket.readable.getReader();
      let ended = false;
      const finish = (error?: Error) => {
        if (ended) return;
        ended = true;
        socket.close().catch(() => {});
        handlers.closed(error);
      };
      (async () => {
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done || ended) break;
            handlers.data(value);
          }
          finish();
        } catch (error) {
          finish(ended ? undefined : error instanceof Error ? error : new Error(String(error)));
        }
      })();
      return {
        write(bytes: Uint8Array): void {
          if (ended) return;
          writer.write(bytes).catch((error) => {
            finish(error instanceof Error ? error : new Error(String(error)));
          });
        },
        close(): void {
          finish();
        },
      };
    },
  };
}
