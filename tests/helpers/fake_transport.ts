/**
 * An in-memory transport for unit tests of the session: the test plays the
 * server, reading the frames the client wrote and answering with bytes.
 *
 * @module
 */

import { JuteWriter } from "../../src/jute/writer.ts";
import { FrameDecoder } from "../../src/protocol/framing.ts";
import type {
  Transport,
  TransportConnection,
  TransportConnectOptions,
  TransportHandlers,
} from "../../src/transport/transport.ts";

/** One connection the client opened. */
export class FakeSocket implements TransportConnection {
  readonly options: TransportConnectOptions;
  readonly #handlers: TransportHandlers;
  readonly #decoder = new FrameDecoder(1 << 24);
  /** Payloads of the frames the client wrote, in order. */
  readonly frames: Uint8Array[] = [];
  /** Every write, as written. */
  readonly raw: Uint8Array[] = [];
  #framed = true;
  /** Called with each frame the client writes, as the server would read it. */
  onFrame: ((payload: Uint8Array) => void) | undefined;
  /** Number of write() calls, to observe batching. */
  writes = 0;
  closed = false;

  constructor(options: TransportConnectOptions, handlers: TransportHandlers) {
    this.options = options;
    this.#handlers = handlers;
  }

  write(bytes: Uint8Array): void {
    if (this.closed) return;
    this.writes++;
    this.raw.push(bytes.slice());
    if (this.#framed) {
      try {
        this.#decoder.push(bytes.slice(), (f) => {
          this.frames.push(f.slice());
          this.onFrame?.(f.slice());
        });
      } catch {
        // Not framed: a four-letter word.
        this.#framed = false;
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#handlers.closed();
  }

  /** Sends raw bytes to the client. */
  sendRaw(bytes: Uint8Array): void {
    this.#handlers.data(bytes);
  }

  /** Sends one frame whose payload `write` produces. */
  send(write: (w: JuteWriter) => void): void {
    const w = new JuteWriter();
    const start = w.beginFrame();
    write(w);
    w.endFrame(start);
    this.#handlers.data(w.bytes().slice());
  }

  /** The server closes the connection. */
  drop(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.#handlers.closed(error);
  }
}

/** A transport whose connections are {@linkcode FakeSocket}s. */
export class FakeTransport implements Transport {
  /** Every connection made, in order. */
  readonly sockets: FakeSocket[] = [];
  /** When set, the next connect attempts fail with this error. */
  refuse: Error | undefined;
  #waiters: ((s: FakeSocket) => void)[] = [];

  connect(
    options: TransportConnectOptions,
    handlers: TransportHandlers,
  ): Promise<TransportConnection> {
    if (this.refuse) return Promise.reject(this.refuse);
    const socket = new FakeSocket(options, handlers);
    this.sockets.push(socket);
    for (const w of this.#waiters.splice(0)) w(socket);
    return Promise.resolve(socket);
  }

  /** The next connection the client opens (or the last one, if it is open already). */
  nextSocket(): Promise<FakeSocket> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The most recent connection. */
  get last(): FakeSocket {
    const s = this.sockets.at(-1);
    if (s === undefined) throw new Error("no connection was made");
    return s;
  }
}

/** Lets queued microtasks and resolved promises run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
