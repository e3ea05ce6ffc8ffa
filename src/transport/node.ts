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
    return new Promise((resolve, reject) => {
      new NodeConnection(options, handlers, resolve, reject);
    });
  },
};

// One socket, resolved as its own TransportConnection once open. Its state
// sits in fields and its methods on the prototype: an open socket keeps its
// "error" and "close" listeners and its reader ("data" on TLS and Bun,
// `onread` otherwise), not a scope of closures per connection.
class NodeConnection implements TransportConnection {
  readonly #socket: net.Socket;
  readonly #handlers: TransportHandlers;
  readonly #host: string;
  readonly #port: number;
  #ended = false;
  // Wanted only until the socket opens.
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;
  #resolve: ((connection: TransportConnection) => void) | undefined;
  #reject: ((error: Error) => void) | undefined;

  constructor(
    options: TransportConnectOptions,
    handlers: TransportHandlers,
    resolve: (connection: TransportConnection) => void,
    reject: (error: Error) => void,
  ) {
    const { host, port } = options;
    this.#handlers = handlers;
    this.#host = host;
    this.#port = port;
    this.#resolve = resolve;
    this.#reject = reject;
    const socket = this.#socket = options.tls
      ? tls.connect({
        host,
        port,
        ca: options.tls.caCerts,
        cert: options.tls.cert,
        key: options.tls.key,
        servername: options.tls.serverName ?? (net.isIP(host) ? undefined : host),
      })
      : useOnread
      ? net.connect({ host, port, onread: { buffer: sharedReadBuffer, callback: this.#onRead } })
      : net.connect({ host, port });
    socket.setNoDelay(true);
    const signal = this.#signal = options.signal;
    const onAbort = this.#onAbort = () => {
      socket.destroy();
      this.#finish(signal?.reason instanceof Error ? signal.reason : new Error("Aborted"));
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.once(options.tls ? "secureConnect" : "connect", () => {
      const open = this.#resolve!;
      signal?.removeEventListener("abort", onAbort);
      this.#signal =
        this.#onAbort =
        this.#resolve =
        this.#reject =
          undefined;
      open(this);
    });
    // Reads through `onread` emit no "data".
    if (options.tls || !useOnread) socket.on("data", forwardData(handlers));
    // One listener for both: "close" follows "error" and finishes nothing more.
    socket.on("error", this.#onEnd);
    socket.on("close", this.#onEnd);
  }

  write(bytes: Uint8Array): void {
    if (!this.#socket.destroyed) this.#socket.write(bytes);
  }

  close(): void {
    this.#socket.destroy();
    this.#finish();
  }

  readonly #onRead = (n: number, buffer: Uint8Array): boolean => {
    this.#handlers.data(new Uint8Array(buffer.buffer, buffer.byteOffset, n));
    return true;
  };

  // "error" passes the error, "close" whether there was one.
  readonly #onEnd = (error?: Error | boolean): void => {
    this.#finish(error instanceof Error ? error : undefined);
  };

  #finish(error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#onAbort !== undefined) this.#signal?.removeEventListener("abort", this.#onAbort);
    const reject = this.#reject;
    if (reject === undefined) this.#handlers.closed(error);
    else reject(error ?? new Error(`Connection to ${this.#host}:${this.#port} closed`));
  }
}

// Made only where "data" is listened to, outside the connection's constructor,
// whose scope (the connect's signal) it would keep as long as the socket lives.
function forwardData(handlers: TransportHandlers): (chunk: Uint8Array) => void {
  return (chunk) => handlers.data(chunk);
}
