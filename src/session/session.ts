/**
 * One ZooKeeper session over a succession of connections: the handshake,
 * request pipelining by xid, reply matching, pings, reconnection to the next
 * host with the same session, and expiry. It knows nothing of watches beyond
 * handing notifications up and asking which watches to restore.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/ClientCnxn.java
 * @module
 */

import { describeCode, ZooKeeperError, type ZooKeeperErrorCode } from "../protocol/errors.ts";
import { JuteReader } from "../jute/reader.ts";
import { JuteWriter } from "../jute/writer.ts";
import { ErrorCode, errorCodeName, OpCode, Xid } from "../protocol/constants.ts";
import { FrameDecoder } from "../protocol/framing.ts";
import {
  readConnectResponse,
  readReplyHeader,
  readWatcherEvent,
  type WatcherEvent,
  writeConnectRequest,
} from "../protocol/records_session.ts";
import type { TlsOptions, Transport, TransportConnection } from "../transport/transport.ts";
import type { Clock, TimerHandle } from "./clock.ts";
import type { HostPort } from "./connect_string.ts";
import { Deque } from "./deque.ts";
import { Heartbeat } from "./heartbeat.ts";
import { isReadWrite } from "./probe.ts";
import {
  type ControlRequest,
  describeRequest,
  encodeAuth,
  encodeControl,
  encodeRequest,
  PING_FRAME,
  type Request,
  setXid,
} from "./request.ts";
import type { ConnectionState } from "./state.ts";

/** What the session reports to the client above it. */
export interface SessionListener {
  /** A watch notification arrived. */
  notification(event: WatcherEvent): void;
  /** The connection state changed. */
  state(state: ConnectionState): void;
  /**
   * The SetWatches requests to send after re-attaching to the session, built
   * with the last zxid seen.
   */
  restoreWatches(lastZxid: bigint): ControlRequest[];
}

/** Settings of a {@linkcode Session}. */
export interface SessionOptions {
  /** The servers, tried in this order, round and round. */
  hosts: HostPort[];
  /** Requested session timeout in milliseconds. */
  sessionTimeout: number;
  /** Opens connections. */
  transport: Transport;
  /** Timers. */
  clock: Clock;
  /** TLS for every connection. */
  tls?: TlsOptions;
  /** Accept read-only servers. */
  readOnly: boolean;
  /** Largest frame accepted from or sent to the server. */
  maxFrameSize: number;
  /** Longest random wait before reconnecting after a loss (Java: 1000 ms). */
  reconnectDelay: number;
  /** Wait after trying every host in a row without success (Java: 1000 ms). */
  cycleDelay: number;
  /** Source of randomness for the reconnect delay. */
  random: () => number;
  /** The first xid to use (tests start near the wrap-around). */
  firstXid?: number;
  /**
   * Reject requests made while disconnected at once with `CONNECTIONLOSS`
   * instead of queueing them for the next connection.
   */
  failFast?: boolean;
  /** An existing session to resume, with its password. */
  resume?: { sessionId: bigint; password: Uint8Array };
  /** First wait before probing for a read-write server while read-only (Java: 100 ms). */
  probeDelay?: number;
}

interface Packet {
  xid: number;
  frame: Uint8Array;
  verb: string;
  path: string | undefined;
  decode: ((r: JuteReader) => unknown) | undefined;
  onReply: ((err: number) => void) | undefined;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface AuthWaiter {
  resolve(): void;
  reject(error: Error): void;
}

const MAX_XID = 0x7fffffff;

/** A session with a ZooKeeper ensemble. */
export class Session {
  readonly #options: SessionOptions;
  readonly #listener: SessionListener;
  #state: ConnectionState = { type: "connecting" };
  #sessionId = 0n;
  #password: Uint8Array = new Uint8Array(16);
  #lastZxid = 0n;
  #timeout: number;
  #xid = 1;
  #hostIndex = -1;
  #failures = 0;
  #everConnected = false;
  #seenReadWrite = false;
  #attempt = 0;
  #conn: TransportConnection | undefined;
  #handshaking = false;
  #decoder: FrameDecoder;
  #heartbeat: Heartbeat | undefined;
  #connectTimer: TimerHandle | undefined;
  #retryTimer: TimerHandle | undefined;
  #expiryTimer: TimerHandle | undefined;
  #lastReceive = 0;
  readonly #pending = new Deque<Packet>();
  readonly #queued = new Deque<Packet>();
  readonly #auth: { scheme: string; auth: Uint8Array; waiter?: AuthWaiter }[] = [];
  readonly #authWaiters = new Deque<AuthWaiter | undefined>();
  #outbox: Uint8Array[] = [];
  #outboxBytes = 0;
  #flushScheduled = false;
  #ended = false;
  #closing = false;

  /**
   * Creates the session and starts connecting.
   *
   * @param options Settings.
   * @param listener Receives notifications and state changes.
   */
  constructor(options: SessionOptions, listener: SessionListener) {
    this.#options = options;
    this.#listener = listener;
    this.#timeout = options.sessionTimeout;
    this.#xid = options.firstXid ?? 1;
    if (options.resume !== undefined) {
      this.#sessionId = options.resume.sessionId;
      this.#password = options.resume.password;
      this.#seenReadWrite = true;
    }
    this.#decoder = new FrameDecoder(options.maxFrameSize);
    this.#connect();
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The session id, `0n` before the first connection. */
  get sessionId(): bigint {
    return this.#sessionId;
  }

  /** The session password, for resuming the session elsewhere. */
  get password(): Uint8Array {
    return this.#password;
  }

  /** The negotiated session timeout (the requested one until connected). */
  get timeout(): number {
    return this.#timeout;
  }

  /** The highest zxid seen in a reply. */
  get lastZxid(): bigint {
    return this.#lastZxid;
  }

  /** Whether requests are being sent now (connected, handshake done). */
  get connected(): boolean {
    return this.#conn !== undefined && !this.#handshaking;
  }

  /** Why the last connection (or attempt) ended, if one did. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  #lastError: Error | undefined;

  /** Whether the session has ended: closed, expired or refused authentication. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Sends a request, pipelined behind every earlier one. While disconnected
   * the request waits for the next connection of the same session.
   *
   * @param request The request.
   * @returns The decoded reply.
   */
  submit<T>(request: Request<T>): Promise<T> {
    const { verb, path } = request;
    if (this.#ended) return Promise.reject(this.#endedError(verb, path));
    const frame = encodeRequest(request);
    if (frame.length - 4 > this.#options.maxFrameSize) {
      return Promise.reject(
        new ZooKeeperError(
          "BADARGUMENTS",
          `Cannot ${describeRequest(verb, path)}: request of ${frame.length - 4} bytes ` +
            `exceeds the limit of ${this.#options.maxFrameSize} bytes`,
          { path },
        ),
      );
    }
    const xid = this.#nextXid();
    setXid(frame, xid);
    return new Promise<T>((resolve, reject) => {
      const packet: Packet = {
        xid,
        frame,
        verb,
        path,
        decode: request.decode,
        onReply: request.onReply,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      if (this.connected) {
        this.#pending.push(packet);
        this.#write(frame);
      } else if (this.#options.failFast && this.#everConnected) {
        reject(ZooKeeperError.fromServer("CONNECTIONLOSS", verb, path));
      } else {
        this.#queued.push(packet);
      }
    });
  }

  /**
   * Adds credentials to the session; they are sent again on every reconnect.
   *
   * @param scheme The scheme, such as `"digest"`.
   * @param auth The credentials, such as the bytes of `"user:password"`.
   * @returns Resolves when the server accepts them.
   */
  addAuth(scheme: string, auth: Uint8Array): Promise<void> {
    if (this.#ended) {
      return Promise.reject(this.#endedError("authenticate", undefined));
    }
    return new Promise((resolve, reject) => {
      if (this.connected) {
        this.#auth.push({ scheme, auth });
        this.#authWaiters.push({ resolve, reject });
        this.#write(encodeAuth(scheme, auth));
      } else {
        // Sent with the others once the handshake completes.
        this.#auth.push({ scheme, auth, waiter: { resolve, reject } });
      }
    });
  }

  /**
   * Ends the session: sends closeSession when connected and waits for its
   * reply (up to the read timeout), then closes the connection. Requests still
   * waiting reject with `CLOSED`.
   */
  async close(): Promise<void> {
    if (this.#ended) return;
    // The server closes the socket once it has answered closeSession: that is
    // the end, not a connection loss to recover from.
    this.#closing = true;
    if (this.connected) {
      const wait = this.#heartbeat?.readTimeout ?? this.#timeout;
      let timer: TimerHandle | undefined;
      await Promise.race([
        this.submit({ opcode: OpCode.closeSession, verb: "close session" }).catch(() => {}),
        new Promise<void>((resolve) => {
          timer = this.#options.clock.setTimeout(resolve, wait);
        }),
      ]);
      this.#options.clock.clearTimeout(timer);
    }
    this.#end({ type: "closed" }, "CLOSED");
  }

  #endedError(verb: string, path: string | undefined): ZooKeeperError {
    const code: ZooKeeperErrorCode = this.#state.type === "expired"
      ? "SESSIONEXPIRED"
      : this.#state.type === "authFailed"
      ? "AUTHFAILED"
      : "CLOSED";
    return ZooKeeperError.fromServer(code, verb, path);
  }

  #nextXid(): number {
    const xid = this.#xid;
    this.#xid = xid === MAX_XID ? 1 : xid + 1;
    return xid;
  }

  #write(frame: Uint8Array): void {
    this.#outbox.push(frame);
    this.#outboxBytes += frame.length;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  // Writes go out once per microtask checkpoint: a burst of calls made in one
  // turn of the event loop becomes one socket write.
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const frames = this.#outbox;
    const total = this.#outboxBytes;
    this.#outbox = [];
    this.#outboxBytes = 0;
    const conn = this.#conn;
    if (conn === undefined || frames.length === 0) return;
    if (frames.length === 1) {
      conn.write(frames[0]);
    } else {
      const bytes = new Uint8Array(total);
      let off = 0;
      for (const f of frames) {
        bytes.set(f, off);
        off += f.length;
      }
      conn.write(bytes);
    }
    this.#heartbeat?.sent();
  };

  #connect(): void {
    const { hosts, transport, tls, clock } = this.#options;
    this.#hostIndex = (this.#hostIndex + 1) % hosts.length;
    const { host, port } = hosts[this.#hostIndex];
    const attempt = ++this.#attempt;
    const abort = new AbortController();
    const attemptTimeout = Math.max(
      1,
      Math.floor(this.#timeout / hosts.length),
    );
    this.#connectTimer = clock.setTimeout(() => {
      if (attempt !== this.#attempt) return;
      abort.abort(new Error(`timed out after ${attemptTimeout} ms`));
      this.#lost(
        new Error(
          `Connecting to ${host}:${port} timed out after ${attemptTimeout} ms`,
        ),
      );
    }, attemptTimeout);
    transport.connect({ host, port, tls, signal: abort.signal }, {
      data: (chunk) => {
        if (attempt === this.#attempt) this.#onData(chunk);
      },
      closed: (error) => {
        if (attempt === this.#attempt) {
          this.#lost(
            error ??
              new Error(`Connection to ${host}:${port} closed by the server`),
          );
        }
      },
    }).then((conn) => {
      if (attempt !== this.#attempt) {
        conn.close();
        return;
      }
      this.#conn = conn;
      this.#handshaking = true;
      this.#decoder = new FrameDecoder(this.#options.maxFrameSize);
      const w = new JuteWriter(64);
      const start = w.beginFrame();
      writeConnectRequest(w, {
        protocolVersion: 0,
        lastZxidSeen: this.#lastZxid,
        timeOut: this.#options.sessionTimeout,
        // A session made on a read-only server is local to it: Java starts a
        // new one (id 0) until it has seen a read-write server.
        sessionId: this.#seenReadWrite ? this.#sessionId : 0n,
        passwd: this.#password,
        readOnly: this.#options.readOnly,
      });
      w.endFrame(start);
      conn.write(w.bytes());
    }, (error: unknown) => {
      if (attempt !== this.#attempt) return;
      this.#lost(error instanceof Error ? error : new Error(String(error)));
    });
  }

  #onData(chunk: Uint8Array): void {
    this.#lastReceive = this.#options.clock.now();
    this.#heartbeat?.received();
    try {
      this.#decoder.push(chunk, this.#onFrame);
    } catch (error) {
      const reason = error instanceof ZooKeeperError ? error : new ZooKeeperError(
        "MARSHALLINGERROR",
        `Malformed frame from the server: ${(error as Error).message}`,
        { cause: error },
      );
      this.#lost(reason);
    }
  }

  readonly #onFrame = (payload: Uint8Array): void => {
    if (this.#ended) return;
    const r = new JuteReader(payload);
    if (this.#handshaking) {
      this.#onConnectResponse(r);
      return;
    }
    const header = readReplyHeader(r);
    switch (header.xid) {
      case Xid.ping:
        return;
      case Xid.notification:
        this.#listener.notification(readWatcherEvent(r));
        return;
      case Xid.auth:
        this.#onAuthReply(header.err);
        return;
      case Xid.setWatches:
        return;
    }
    const packet = this.#pending.shift();
    if (packet === undefined || packet.xid !== header.xid) {
      const failure = new ZooKeeperError(
        "MARSHALLINGERROR",
        `Reply out of order: xid ${header.xid}, expected ${packet?.xid ?? "none"}`,
      );
      packet?.reject(
        ZooKeeperError.fromServer(
          "CONNECTIONLOSS",
          packet.verb,
          packet.path,
          failure,
        ),
      );
      throw failure;
    }
    if (header.zxid > 0n) this.#lastZxid = header.zxid;
    if (header.err !== 0) {
      packet.onReply?.(header.err);
      packet.reject(
        ZooKeeperError.fromServer(header.err, packet.verb, packet.path),
      );
      return;
    }
    let value: unknown;
    try {
      value = packet.decode?.(r);
    } catch (error) {
      const failure = new ZooKeeperError(
        "MARSHALLINGERROR",
        `Cannot ${packet.verb}${packet.path === undefined ? "" : ` "${packet.path}"`}: ` +
          `malformed reply: ${(error as Error).message}`,
        { path: packet.path, cause: error },
      );
      packet.reject(failure);
      throw failure;
    }
    packet.onReply?.(0);
    packet.resolve(value);
  };

  #onConnectResponse(r: JuteReader): void {
    if (r.remaining === 16) {
      // A server that refuses to make a session (a read-only server without
      // local sessions) answers with a bare reply header and its error.
      const refusal = readReplyHeader(r);
      throw new ZooKeeperError(
        errorCodeName(refusal.err),
        `The server refused the session: ${describeCode(errorCodeName(refusal.err))}`,
      );
    }
    const response = readConnectResponse(r);
    this.#options.clock.clearTimeout(this.#connectTimer);
    this.#handshaking = false;
    if (response.timeOut <= 0) {
      this.#end({ type: "expired" }, "SESSIONEXPIRED");
      return;
    }
    const resumed = this.#everConnected &&
      response.sessionId === this.#sessionId;
    this.#sessionId = response.sessionId;
    this.#password = response.passwd;
    this.#timeout = response.timeOut;
    this.#everConnected = true;
    this.#failures = 0;
    if (!response.readOnly) this.#seenReadWrite = true;
    this.#options.clock.clearTimeout(this.#expiryTimer);
    this.#heartbeat?.stop();
    this.#heartbeat = new Heartbeat(this.#options.clock, {
      sendPing: () => this.#write(PING_FRAME),
      timedOut: (ms) =>
        this.#lost(
          new Error(
            `No reply from the server for ${ms} ms: connection considered lost`,
          ),
        ),
    }, response.timeOut);
    // Auth first, then watches, then whatever waited: the order
    // ClientCnxn.primeConnection uses, so that restored watches and queued
    // requests run with the session's credentials.
    for (const a of this.#auth) {
      this.#authWaiters.push(a.waiter);
      a.waiter = undefined;
      this.#write(encodeAuth(a.scheme, a.auth));
    }
    for (const req of this.#listener.restoreWatches(this.#lastZxid)) {
      this.#write(encodeControl(Xid.setWatches, req));
    }
    for (
      let p = this.#queued.shift();
      p !== undefined;
      p = this.#queued.shift()
    ) {
      this.#pending.push(p);
      this.#write(p.frame);
    }
    const base = {
      sessionId: response.sessionId,
      timeout: response.timeOut,
      host: this.#options.hosts[this.#hostIndex],
    };
    if (response.readOnly) this.#scheduleProbe(this.#options.probeDelay ?? 100);
    this.#setState(
      response.readOnly
        ? { type: "connectedReadOnly", ...base }
        : resumed
        ? { type: "reconnected", ...base }
        : { type: "connected", ...base },
    );
  }

  #onAuthReply(err: number): void {
    const waiter = this.#authWaiters.shift();
    if (err === 0) {
      waiter?.resolve();
      return;
    }
    const error = ZooKeeperError.fromServer(err, "authenticate", undefined);
    waiter?.reject(error);
    if (err === ErrorCode.AUTHFAILED) {
      this.#end({ type: "authFailed" }, "AUTHFAILED");
    }
  }

  #teardown(): void {
    this.#attempt++;
    const conn = this.#conn;
    this.#conn = undefined;
    this.#handshaking = false;
    this.#outbox = [];
    this.#outboxBytes = 0;
    this.#heartbeat?.stop();
    this.#heartbeat = undefined;
    const { clock } = this.#options;
    clock.clearTimeout(this.#connectTimer);
    clock.clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
    conn?.close();
  }

  #probeTimer: TimerHandle | undefined;
  #probeIndex = 0;

  // While on a read-only server, ask the other servers in turn whether they
  // serve writes (the "isro" four-letter word answers "rw" or "ro"), backing
  // off from 100 ms to a minute, and move to the first that does: what
  // ClientCnxn.SendThread.pingRwServer does.
  #scheduleProbe(delay: number): void {
    const { clock, hosts, transport, tls } = this.#options;
    if (hosts.length < 2) return;
    const generation = this.#attempt;
    this.#probeTimer = clock.setTimeout(async () => {
      this.#probeIndex = (this.#probeIndex + 1) % hosts.length;
      if (this.#probeIndex === this.#hostIndex) {
        this.#probeIndex = (this.#probeIndex + 1) % hosts.length;
      }
      const index = this.#probeIndex;
      const readWrite = await isReadWrite(transport, hosts[index], tls, clock);
      if (generation !== this.#attempt || this.#state.type !== "connectedReadOnly") return;
      if (readWrite) {
        const { host, port } = hosts[index];
        this.#hostIndex = (index - 1 + hosts.length) % hosts.length;
        this.#lost(new Error(`Moving to read-write server ${host}:${port}`), 0);
      } else {
        this.#scheduleProbe(Math.min(delay * 2, 60_000));
      }
    }, delay);
  }

  #lost(error: Error, reconnectDelay?: number): void {
    if (this.#ended) return;
    if (this.#closing) {
      this.#end({ type: "closed" }, "CLOSED");
      return;
    }
    this.#lastError = error;
    const wasConnected = this.#conn !== undefined && !this.#handshaking;
    this.#teardown();
    for (const p of this.#pending.drain()) {
      p.reject(
        ZooKeeperError.fromServer("CONNECTIONLOSS", p.verb, p.path, error),
      );
    }
    for (const w of this.#authWaiters.drain()) {
      w?.reject(
        ZooKeeperError.fromServer(
          "CONNECTIONLOSS",
          "authenticate",
          undefined,
          error,
        ),
      );
    }
    const { clock, hosts } = this.#options;
    if (wasConnected) {
      this.#setState({ type: "disconnected", error });
      // The server expires the session once it has heard nothing for the
      // session timeout; after that long without a reply, so does the client.
      // Not in read-only mode: an ensemble that lost its quorum has no leader
      // to expire anything, and the session may still be there when it returns.
      if (!this.#options.readOnly) {
        const left = this.#lastReceive + this.#timeout - clock.now();
        this.#expiryTimer = clock.setTimeout(
          () => this.#end({ type: "expired" }, "SESSIONEXPIRED"),
          Math.max(1, left),
        );
      }
    } else if (
      this.#state.type !== "disconnected" && this.#state.type !== "connecting"
    ) {
      this.#setState({ type: "disconnected", error });
    }
    this.#failures++;
    const delay = reconnectDelay ??
      (wasConnected
        ? Math.floor(this.#options.random() * this.#options.reconnectDelay)
        : this.#failures % hosts.length === 0
        ? this.#options.cycleDelay
        : 0);
    this.#retryTimer = clock.setTimeout(() => this.#connect(), delay);
  }

  #end(state: ConnectionState, code: ZooKeeperErrorCode): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#teardown();
    const { clock } = this.#options;
    clock.clearTimeout(this.#retryTimer);
    clock.clearTimeout(this.#expiryTimer);
    clock.clearTimeout(this.#probeTimer);
    for (const p of [...this.#pending.drain(), ...this.#queued.drain()]) {
      p.reject(ZooKeeperError.fromServer(code, p.verb, p.path));
    }
    for (
      const w of [
        ...this.#authWaiters.drain(),
        ...this.#auth.map((a) => a.waiter),
      ]
    ) {
      w?.reject(ZooKeeperError.fromServer(code, "authenticate", undefined));
    }
    this.#setState(state);
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    this.#listener.state(state);
  }
}
