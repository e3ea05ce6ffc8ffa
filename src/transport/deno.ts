/**
 * The transport for Deno, over `Deno.connect` and `Deno.connectTls`. The
 * client picks it by itself on Deno.
 *
 * @example Choosing the transport
 * ```ts
 * import { ZooKeeper } from "@nd/service-registry";
 * import { denoTransport } from "@nd/service-registry/transport/deno";
 * import { TestingServer } from "@nd/service-registry/testing";
 *
 * await using server = await TestingServer.start();
 * await using zk = await ZooKeeper.connect(server.connectString, { transport: denoTransport });
 * console.log(await zk.exists("/zookeeper") !== null); // true
 * ```
 *
 * @module
 */

import { abortable, abortReason } from "../util/abortable.ts";
import { concatBytes } from "../util/bytes.ts";
import type {
  Transport,
  TransportConnection,
  TransportConnectOptions,
  TransportHandlers,
} from "./transport.ts";

export type { Transport } from "./transport.ts";

/** The part of a Deno connection this transport uses. */
interface DenoConn {
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  setNoDelay?(noDelay?: boolean): void;
  close(): void;
}

/** The part of the `Deno` namespace this transport uses. */
interface DenoNet {
  connect(
    options: { hostname: string; port: number; signal?: AbortSignal | undefined },
  ): Promise<DenoConn>;
  connectTls(options: {
    hostname: string;
    port: number;
    caCerts?: string[] | undefined;
    cert?: string | undefined;
    key?: string | undefined;
    signal?: AbortSignal | undefined;
  }): Promise<DenoConn>;
  startTls(
    conn: DenoConn,
    options: {
      hostname: string;
      caCerts?: string[] | undefined;
      cert?: string | undefined;
      key?: string | undefined;
    },
  ): Promise<DenoConn>;
}

// An idle session reads a few dozen bytes every few seconds: it starts with a
// slab of 1 KB, and one whose reads fill theirs doubles it up to MAX_SLAB.
const MIN_SLAB = 1024;
const MAX_SLAB = 256 * 1024;
const MIN_READ = 2 * 1024;

function denoNamespace(): DenoNet {
  const deno = (globalThis as unknown as { Deno?: DenoNet | undefined }).Deno;
  if (deno === undefined) {
    throw new Error("The Deno transport needs the Deno runtime");
  }
  return deno;
}

/** A {@linkcode Transport} over Deno's own sockets. */
export const denoTransport: Transport = {
  async connect(
    options: TransportConnectOptions,
    handlers: TransportHandlers,
  ): Promise<TransportConnection> {
    const deno = denoNamespace();
    const { host, port, signal, tls } = options;
    let conn: DenoConn;
    if (tls === undefined) {
      conn = await deno.connect({ hostname: host, port, signal });
    } else if (tls.serverName === undefined || tls.serverName === host) {
      conn = await deno.connectTls({
        hostname: host,
        port,
        caCerts: tls.caCerts,
        cert: tls.cert,
        key: tls.key,
        signal,
      });
    } else {
      // connectTls checks the certificate against the address it dials; to
      // check another name, dial plain TCP and start TLS with that name.
      // startTls takes no signal: an abort closes the plain connection.
      const plain = await deno.connect({ hostname: host, port, signal });
      conn = await abortable(
        deno.startTls(plain, {
          hostname: tls.serverName,
          caCerts: tls.caCerts,
          cert: tls.cert,
          key: tls.key,
        }),
        signal,
        (aborted) => {
          plain.close();
          return abortReason(aborted);
        },
      );
    }
    conn.setNoDelay?.(true);
    let ended = false;
    const finish = (error?: Error) => {
      if (ended) return;
      ended = true;
      try {
        conn.close();
      } catch {
        // Already closed by the other side.
      }
      handlers.closed(error);
    };
    (async () => {
      // Reads go into a large slab, each into the part after the previous
      // one: a chunk handed up stays valid (frames may be views of it) and no
      // read allocates unless the slab is nearly full.
      let size = MIN_SLAB;
      let slab = new Uint8Array(size);
      let offset = 0;
      try {
        while (!ended) {
          if (slab.length - offset < Math.min(MIN_READ, slab.length / 2)) {
            slab = new Uint8Array(size);
            offset = 0;
          }
          const room = slab.length - offset;
          const n = await conn.read(slab.subarray(offset));
          if (n === null) break;
          if (n === room && size < MAX_SLAB) size *= 2;
          const chunk = slab.subarray(offset, offset + n);
          offset += n;
          handlers.data(chunk);
        }
        finish();
      } catch (error) {
        finish(ended ? undefined : error instanceof Error ? error : new Error(String(error)));
      }
    })();
    // One write at a time, so that bytes reach the socket whole and in order
    // even when the kernel takes part of them; what comes meanwhile waits in
    // `queued`, which exists only while a write is under way, and goes out
    // as one write when the one before ends: each write is a round trip
    // through Deno's event loop and a system call, a copy is neither.
    let queued: Uint8Array[] | undefined;
    const drain = async (first: Uint8Array) => {
      try {
        for (let bytes: Uint8Array | undefined = first; bytes !== undefined && !ended;) {
          for (let off = 0; off < bytes.length;) {
            off += await conn.write(off === 0 ? bytes : bytes.subarray(off));
          }
          bytes = takeQueued(queued!);
        }
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)));
      }
      queued = undefined;
    };
    return {
      write(bytes: Uint8Array): void {
        if (ended) return;
        if (queued !== undefined) queued.push(bytes);
        else {
          queued = [];
          drain(bytes);
        }
      },
      close(): void {
        finish();
      },
    };
  },
};

// What waited while a write was under way, as one buffer: the queue's head,
// joined with what follows it up to JOIN_LIMIT bytes (larger frames go on
// their own, not copied).
const JOIN_LIMIT = 64 * 1024;
function takeQueued(queued: Uint8Array[]): Uint8Array | undefined {
  let count = 0;
  let total = 0;
  while (count < queued.length && (count === 0 || total + queued[count].length <= JOIN_LIMIT)) {
    total += queued[count++].length;
  }
  return count <= 1 ? queued.shift() : concatBytes(queued.splice(0, count), total);
}
