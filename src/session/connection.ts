/**
 * One connection of a session: one socket to one server, from the connect
 * attempt through the handshake (ConnectRequest, ConnectResponse) to its
 * loss. It cuts frames out of the byte stream, batches writes, pings while
 * idle and reports a silent server. What happens next is the session's call.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/ClientCnxn.java
 * @module
 */

import { JuteReader } from "../jute/reader.ts";
import { JuteWriter } from "../jute/writer.ts";
import { errorCodeName } from "../protocol/constants.ts";
import { describeCode, ZooKeeperError } from "../protocol/errors.ts";
import { FrameDecoder, type FrameSink } from "../protocol/framing.ts";
import {
  type ConnectRequest,
  type ConnectResponse,
  readConnectResponse,
  readReplyHeader,
  writeConnectRequest,
} from "../protocol/records_session.ts";
import type {
  TlsOptions,
  Transport,
  TransportConnection,
  TransportHandlers,
} from "../transport/transport.ts";
import type { Clock, TimerHandle } from "./clock.ts";
import type { HostPort } from "./connect_string.ts";
import { Heartbeat, type HeartbeatTarget } from "./heartbeat.ts";
import { PING_FRAME } from "./request_encoder.ts";
import { concatBytes } from "../util/bytes.ts";
import { microtask } from "../util/microtask.ts";

/** What a {@linkcode Connection} reports; nothing after it is closed. */
export interface ConnectionEvents {
  /** The server answered the handshake. */
  established(response: ConnectResponse): void;
  /** A frame after the handshake (a reply or a notification). */
  frame(r: JuteReader): void;
  /**
   * The reply header of a frame after the handshake that is over
   * `maxFrameSize`, whose body is dropped; may throw to end the connection.
   * Without it such a frame ends the connection.
   */
  oversized?: ((r: JuteReader, length: number) => void) | undefined;
  /** The connection failed or ended; it is unusable. */
  lost(error: Error): void;
}

/** Settings of a {@linkcode Connection}. */
export interface ConnectionOptions {
  /** The server. */
  host: HostPort;
  /** Opens the socket. */
  transport: Transport;
  /** TLS for the socket. */
  tls: TlsOptions | undefined;
  /** Timers. */
  clock: Clock;
  /** Largest frame accepted from the server. */
  maxFrameSize: number;
  /** How long the socket and the handshake may take, in milliseconds. */
  timeout: number;
  /** The handshake to send. */
  handshake: ConnectRequest;
}

// Frames are read one at a time, each whole before the next: one reader
// serves every connection.
const NO_BYTES = new Uint8Array(0);
const ESTABLISHED = 1;
const CLOSED = 2;
const frameReader = new JuteReader(NO_BYTES);
/** The bytes of queued frames that go out at once, without waiting for the burst's end. */
const FLUSH_BYTES = 16 * 1024;

// What the socket, the frame decoder and the heartbeat call back: one object
// per connection (see `Connection.#Wires`).
type Wires = TransportHandlers & FrameSink & HeartbeatTarget;

/** One socket to one server. */
export class Connection {
  // Of the options, only the clock and the server are kept: the handshake
  // goes once.
  readonly #clock: Clock;
  readonly #host: HostPort;
  readonly #events: ConnectionEvents;
  readonly #decoder: FrameDecoder;
  readonly #wires: Wires;
  // Only for the connect attempt; dropped once the socket is open.
  #abort: AbortController | undefined;
  #socket: TransportConnection | undefined;
  // Only until the handshake's answer.
  #handshakeTimer: TimerHandle | undefined;
  #heartbeat: Heartbeat | undefined;
  // ESTABLISHED and CLOSED in one field, which the handshake writes already:
  // V8 compiles a field that no object has written since it was made as a
  // constant, and a flag first written when some connection closes would
  // throw away the compiled reads and writes of every connection.
  #flags = 0;
  #lastReceive = 0;
  // Frames written since the last flush; none while idle.
  #outbox: Uint8Array[] | undefined;
  #outboxBytes = 0;
  #flushScheduled = false;

  /**
   * Opens the socket and sends the handshake.
   *
   * @param options The server and settings.
   * @param events Receives the handshake, frames and the loss.
   */
  constructor(options: ConnectionOptions, events: ConnectionEvents) {
    this.#clock = options.clock;
    this.#host = options.host;
    this.#events = events;
    this.#decoder = new FrameDecoder(options.maxFrameSize);
    const wires = this.#wires = new Connection.#Wires(this);
    const { host, port } = options.host;
    const { timeout } = options;
    // The attempt's callbacks share this scope until the socket opens: the
    // handshake is let go once sent.
    let handshake: ConnectRequest | undefined = options.handshake;
    const abort = this.#abort = new AbortController();
    this.#handshakeTimer = options.clock.setTimeout(() => {
      this.#handshakeTimer = undefined;
      this.#abort?.abort(new Error(`timed out after ${timeout} ms`));
      this.#lose(new Error(`Connecting to ${host}:${port} timed out after ${timeout} ms`));
    }, timeout);
    const target = { host, port, tls: options.tls, signal: abort.signal };
    options.transport.connect(target, transportHandlers(wires)).then((socket) => {
      this.#abort = undefined;
      const request = handshake!;
      handshake = undefined;
      if (this.#closed) {
        socket.close();
        return;
      }
      this.#socket = socket;
      const w = new JuteWriter(64);
      const start = w.beginFrame();
      writeConnectRequest(w, request);
      w.endFrame(start);
      socket.write(w.bytes());
    }).then(undefined, (error: unknown) => {
      handshake = undefined;
      this.#lose(error instanceof Error ? error : new Error(String(error)));
    });
  }

  /**
   * Whether the handshake is done. It stays true once closed, so that whoever
   * hears of the loss can tell a lost session connection from a failed attempt.
   */
  get established(): boolean {
    return this.#established;
  }

  get #established(): boolean {
    return (this.#flags & ESTABLISHED) !== 0;
  }

  get #closed(): boolean {
    return (this.#flags & CLOSED) !== 0;
  }

  /** When data last arrived, by the clock. */
  get lastReceive(): number {
    return this.#lastReceive;
  }

  /** How long the server may stay silent before the connection counts as lost. */
  get readTimeout(): number | undefined {
    return this.#heartbeat?.readTimeout;
  }

  /**
   * Starts pinging when idle for the granted session timeout; a server silent
   * for the read timeout loses the connection.
   *
   * @param sessionTimeout The negotiated session timeout.
   */
  startHeartbeat(sessionTimeout: number): void {
    this.#heartbeat?.stop();
    this.#heartbeat = new Heartbeat(this.#clock, this.#wires, sessionTimeout);
  }

  // What the socket, the frame decoder and the heartbeat call, as one object
  // of one field whose methods are shared: a connection lives as long as its
  // session, and a closure per callback would be held all that time. The
  // transport alone gets functions of its own (`transportHandlers`).
  static readonly #Wires = class implements Wires {
    readonly #conn: Connection;

    constructor(conn: Connection) {
      this.#conn = conn;
    }

    data(chunk: Uint8Array): void {
      this.#conn.#onData(chunk);
    }

    closed(error?: Error): void {
      const { host, port } = this.#conn.#host;
      this.#conn.#lose(error ?? new Error(`Connection to ${host}:${port} closed by the server`));
    }

    frame(bytes: Uint8Array, start: number, end: number): void {
      this.#conn.#onFrame(bytes, start, end);
    }

    oversized(head: Uint8Array, length: number): void {
      this.#conn.#onOversized(head, length);
    }

    sendPing(): void {
      this.#conn.write(PING_FRAME);
    }

    timedOut(ms: number): void {
      this.#conn.#lose(
        new Error(`No reply from the server for ${ms} ms: connection considered lost`),
      );
    }

    lastReceive(): number {
      return this.#conn.#lastReceive;
    }
  };

  /**
   * Queues a frame. Writes go out once per microtask checkpoint: a burst of
   * calls made in one turn of the event loop becomes one socket write, or
   * one per {@linkcode FLUSH_BYTES} of it, so that the server works on the
   * first requests of a long burst while the rest are being made.
   *
   * @param frame The frame.
   */
  write(frame: Uint8Array): void {
    if (this.#closed) return;
    (this.#outbox ??= []).push(frame);
    this.#outboxBytes += frame.length;
    if (this.#outboxBytes >= FLUSH_BYTES) {
      // A flush already scheduled stays so, for the frames that follow.
      this.#writeOutbox();
      return;
    }
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      if (Connection.#toFlush.push(this) === 1) microtask(Connection.#flushAll);
    }
  }

  // The connections with frames waiting, flushed by one microtask: writes to
  // many sessions in one turn cost one task, and no connection keeps a
  // closure of its own for it.
  static #toFlush: Connection[] = [];

  static readonly #flushAll = (): void => {
    const connections = Connection.#toFlush;
    Connection.#toFlush = [];
    for (const conn of connections) conn.#flush();
  };

  /** Closes the socket and stops the timers; no event follows. */
  close(): void {
    if (this.#closed) return;
    this.#flags |= CLOSED;
    this.#outbox = undefined;
    this.#outboxBytes = 0;
    this.#heartbeat?.stop();
    this.#stopHandshakeTimer();
    this.#socket?.close();
  }

  #flush(): void {
    this.#flushScheduled = false;
    this.#writeOutbox();
  }

  #writeOutbox(): void {
    const frames = this.#outbox;
    const total = this.#outboxBytes;
    this.#outbox = undefined;
    this.#outboxBytes = 0;
    const socket = this.#socket;
    if (this.#closed || socket === undefined || frames === undefined) return;
    socket.write(frames.length === 1 ? frames[0] : join(frames, total));
    this.#heartbeat?.sent();
  }

  #lose(error: Error): void {
    if (this.#closed) return;
    this.close();
    this.#events.lost(error);
  }

  #onData(chunk: Uint8Array): void {
    if (this.#closed) return;
    this.#lastReceive = this.#clock.now();
    try {
      this.#decoder.pushInPlace(chunk, this.#wires);
    } catch (error) {
      this.#lose(
        ZooKeeperError.is(error) ? error : new ZooKeeperError(
          "MARSHALLINGERROR",
          `Malformed frame from the server: ${(error as Error).message}`,
          { cause: error },
        ),
      );
    }
  }

  // Only a reply can be answered in part: a handshake this large is not one.
  #onOversized(head: Uint8Array, length: number): void {
    if (!this.#established || this.#events.oversized === undefined) {
      throw new RangeError(
        `Frame length ${length} is out of range (0 to ${this.#decoder.maxFrameSize} bytes)`,
      );
    }
    this.#events.oversized(new JuteReader(head), length);
  }

  #stopHandshakeTimer(): void {
    if (this.#handshakeTimer === undefined) return;
    this.#clock.clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = undefined;
  }

  #onFrame(bytes: Uint8Array, start: number, end: number): void {
    if (this.#closed) return;
    // Every frame is read whole before the next: one reader serves them all.
    const r = frameReader;
    r.reset(bytes, start, end);
    if (this.#established) {
      try {
        this.#events.frame(r);
      } finally {
        // Not keeping a large frame's bytes until the next one.
        r.reset(NO_BYTES, 0, 0);
      }
      return;
    }
    if (r.remaining === 16) {
      // A server that refuses to make a session (a read-only server without
      // local sessions) answers with a bare reply header and its error.
      const refusal = errorCodeName(readReplyHeader(r).err);
      throw new ZooKeeperError(
        refusal,
        `The server refused the session: ${describeCode(refusal)}`,
      );
    }
    const response = readConnectResponse(r);
    this.#stopHandshakeTimer();
    this.#flags |= ESTABLISHED;
    this.#events.established(response);
  }
}

// The transport's handlers are functions of their own, which a transport may
// call detached or copy into an object of its own; made out here, their
// scope holds the connection's wires and nothing of the connect attempt.
function transportHandlers(wires: Wires): TransportHandlers {
  return {
    data: (chunk) => wires.data(chunk),
    closed: (error) => wires.closed(error),
  };
}

/**
 * The frames as one buffer: a view over them when they lie side by side in
 * one buffer (requests encoded in a row, see `encodeRequest`), else a copy.
 */
function join(frames: Uint8Array[], total: number): Uint8Array {
  const first = frames[0];
  let end = first.byteOffset + first.length;
  let adjacent = true;
  for (let i = 1; i < frames.length && adjacent; i++) {
    const f = frames[i];
    adjacent = f.buffer === first.buffer && f.byteOffset === end;
    end += f.length;
  }
  if (adjacent) return new Uint8Array(first.buffer, first.byteOffset, total);
  return concatBytes(frames, total);
}
