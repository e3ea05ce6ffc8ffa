/**
 * The transport for Node (and runtimes with Node's `net` and `tls`). The
 * client picks it by itself on Node and Bun; pass it to use it elsewhere.
 *
 * @example Choosing the transport
 * ```ts
 * import { ZooKeeper } from "@nd/service-registry";
 * import { nodeTransport } from "@nd/service-registry/transport/node";
 * import { TestingServer } from "@nd/service-registry/testing";
 *
 * await using server = await TestingServer.start();
 * await using zk = await ZooKeeper.connect(server.connectString, { transport: nodeTransport });
 * console.log(await zk.exists("/zookeeper") !== null); // true
 * ```
 *
 * @module
 */

import * as net from "node:net";
import * as tls from "node:tls";
import type {
  Transport,
  TransportConnection,
  TransportConnectOptions,
  TransportHandlers,
} from "./transport.ts";

export type { Transport } from "./transport.ts";

/** A {@linkcode Transport} over `node:net` and `node:tls`. */
export const nodeTransport: Transport = {
  connect(
    options: TransportConnectOptions,
    handlers: TransportHandlers,
  ): Promise<TransportConnection> {
    return new Promise((resolve, reject) => {
      const { host, port, signal } = options;
      const socket: net.Socket = options.tls
        ? tls.connect({
          host,
          port,
          ca: options.tls.caCerts,
          cert: options.tls.cert,
          key: options.tls.key,
          servername: options.tls.serverName ??
            (net.isIP(host) ? undefined : host),
        })
        : net.connect({ host, port });
      socket.setNoDelay(true);
      let open = false;
      let ended = false;
      const finish = (error?: Error) => {
        if (ended) return;
        ended = true;
        signal?.removeEventListener("abort", onAbort);
        if (open) handlers.closed(error);
        else reject(error ?? new Error(`Connection to ${host}:${port} closed`));
      };
      const onAbort = () => {
        socket.destroy();
        finish(
          signal?.reason instanceof Error ? signal.reason : new Error("Aborted"),
        );
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      socket.once(options.tls ? "secureConnect" : "connect", () => {
        open = true;
        signal?.removeEventListener("abort", onAbort);
        resolve({
          write(bytes: Uint8Array): void {
            if (!socket.destroyed) socket.write(bytes);
          },
          close(): void {
            socket.destroy();
            finish();
          },
        });
      });
      socket.on("data", (chunk: Uint8Array) => handlers.data(chunk));
      socket.on("error", (error: Error) => finish(error));
      socket.on("close", () => finish());
    });
  },
};
