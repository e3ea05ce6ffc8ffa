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

// Plain TCP reads go straight into one buffer shared by every connection
// (`onread`), below Node's streams: no Buffer per read, no stream queue and no
// nextTick per chunk. Sharing is safe because libuv reads one socket at a time
// and the callback hands each chunk on synchronously, and a transport's chunk
// is valid only during the `data` call. Bun emits "data" instead; TLS sockets
// stay on streams.
const READ_BUFFER_SIZE = 64 * 1024;
let readBuffer: Uint8Array | undefined;
const useOnread = !("Bun" in globalThis);

function sharedReadBuffer(): Uint8Array {
  return readBuffer ??= new Uint8Array(READ_BUFFER_SIZE);
}

/** A {@linkcode Transport} over `node:net` and `node:tls`. */
export const nodeTransport: Transport = {
  connect(
    options: TransportConnectOptions,
    handlers: TransportHandlers,
  ): Promise<TransportConnection> {
    // The closures an open socket keeps hold the scope they were made in:
    // `options` stays out of it, and what is wanted only until the socket
    // opens is let go of then.
    const { host, port } = options;
    let socket: net.Socket;
    try {
      socket = openSocket(options, handlers);
    } catch (error) {
      return Promise.reject(error);
    }
    let signal = options.signal;
    let resolve: ((connection: TransportConnection) => void) | undefined;
    let reject: ((error: Error) => void) | undefined;
    const opened = new Promise<TransportConnection>((resolveOpen, rejectOpen) => {
      resolve = resolveOpen;
      reject = rejectOpen;
    });
    let ended = false;
    const finish = (error?: Error) => {
      if (ended) return;
      ended = true;
      signal?.removeEventListener("abort", onAbort);
      if (reject === undefined) handlers.closed(error);
      else reject(error ?? new Error(`Connection to ${host}:${port} closed`));
    };
    const onAbort = () => {
      socket.destroy();
      finish(
        signal?.reason instanceof Error ? signal.reason : new Error("Aborted"),
      );
    };
    if (signal?.aborted) {
      onAbort();
      return opened;
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.once(options.tls ? "secureConnect" : "connect", () => {
      const open = resolve!;
      signal?.removeEventListener("abort", onAbort);
      signal = resolve = reject = undefined;
      open({
        write(bytes: Uint8Array): void {
          if (!socket.destroyed) socket.write(bytes);
        },
        close(): void {
          socket.destroy();
          finish();
        },
      });
    });
    socket.on("error", (error: Error) => finish(error));
    socket.on("close", () => finish());
    return opened;
  },
};

// The socket, its bytes going to `handlers.data`.
function openSocket(options: TransportConnectOptions, handlers: TransportHandlers): net.Socket {
  const { host, port } = options;
  const socket: net.Socket = options.tls
    ? tls.connect({
      host,
      port,
      ca: options.tls.caCerts,
      cert: options.tls.cert,
      key: options.tls.key,
      servername: options.tls.serverName ?? (net.isIP(host) ? undefined : host),
    })
    : useOnread
    ? net.connect({
      host,
      port,
      onread: {
        buffer: sharedReadBuffer,
        callback: (n: number, buffer: Uint8Array): boolean => {
          handlers.data(new Uint8Array(buffer.buffer, buffer.byteOffset, n));
          return true;
        },
      },
    })
    : net.connect({ host, port });
  socket.setNoDelay(true);
  // Reads through `onread` emit no "data".
  if (options.tls || !useOnread) {
    socket.on("data", (chunk: Uint8Array) => handlers.data(chunk));
  }
  return socket;
}
