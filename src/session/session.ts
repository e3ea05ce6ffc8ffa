/**
 * One ZooKeeper session over a succession of connections: the state machine
 * that moves between connecting, connected, disconnected and the final
 * states. The parts it drives live beside it: the connection (socket,
 * handshake, heartbeat), the request queue, the auth book, the host ring and
 * the read-write search. It knows nothing of watches beyond handing
 * notifications up and asking which watches to restore.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/ClientCnxn.java
 * @module
 */

import type { JuteReader } from "../jute/reader.ts";
import { DEFAULT_MAX_REQUEST_SIZE, ErrorCode, OpCode, Xid } from "../protocol/constants.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import type { ConnectResponse } from "../protocol/records_session.ts";
import { AuthBook } from "./auth_book.ts";
import { type CallControl, guarded, withCaller } from "./call.ts";
import { MAX_TIMER_DELAY, type TimerHandle } from "./clock.ts";
import { Connection } from "./connection.ts";
import type { HostPort } from "./connect_string.ts";
import { HostRing } from "./host_ring.ts";
import { ReadWriteSearch } from "./read_write_search.ts";
import { ReconnectPacing } from "./reconnect_pacing.ts";
import {
  describeRequest,
  encodeControl,
  encodeRequest,
  type Request,
  setXid,
} from "./request_encoder.ts";
import { rebalance, sameHost } from "./rebalance.ts";
import { measured } from "./request_metrics.ts";
import { type PendingRequest, RequestQueue } from "./request_queue.ts";
import { saslLogin, validateSasl } from "./sasl.ts";
import type { SessionListener, SessionOptions } from "./session_options.ts";
import { type ConnectionState, endCode } from "./state.ts";

export type { SessionListener, SessionOptions } from "./session_options.ts";

/**
 * The longest session timeout the client keeps, in milliseconds (about 18.6
 * days): a longer one granted by the server is lowered to it, with a warning.
 */
export const MAX_SESSION_TIMEOUT: number = Math.floor(MAX_TIMER_DELAY * 3 / 4);

/** A session with a ZooKeeper ensemble. */
export class Session {
  readonly #options: SessionOptions;
  readonly #listener: SessionListener;
  readonly #requests: RequestQueue;
  readonly #auth = new AuthBook();
  readonly #hosts: HostRing;
  readonly #search: ReadWriteSearch;
  #state: ConnectionState = { type: "connecting" };
  #sessionId = 0n;
  #password: Uint8Array = new Uint8Array(16);
  // The last zxid in two halves: a reply costs no bigint (nor an object for its
  // header); the bigint is made when asked for.
  #lastZxidHi = 0;
  #lastZxidLo = 0;
  #timeout: number;
  #conn: Connection | undefined;
  // The connection whose SASL login runs: nothing but SASL goes out on it yet.
  #authenticating: Connection | undefined;
  #lastReceive = 0;
  #lastError: Error | undefined;
  readonly #pacing: ReconnectPacing;
  /**
   * Settles with the last error once a whole round over the hosts was refused
   * outright (nothing listens there) before the first session: waiting longer
   * is only worth it to a caller who asked to. Never settles otherwise.
   */
  readonly allRefused: Promise<Error>;
  #everConnected = false;
  #seenReadWrite = false;
  #closing = false;
  #ended = false;
  #retryTimer: TimerHandle | undefined;
  #expiryTimer: TimerHandle | undefined;
  // The expiry deadline passed while a connection attempt was in flight.
  #expiryDue = false;
  // Set while close() waits for a connection to send closeSession on.
  #reached: (() => void) | undefined;

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
    this.#requests = new RequestQueue(options.firstXid ?? 1);
    if (options.sasl !== undefined) validateSasl(options.sasl);
    this.#hosts = new HostRing(options.hosts);
    this.#pacing = new ReconnectPacing({
      hosts: this.#hosts,
      reconnectDelay: options.reconnectDelay,
      cycleDelay: options.cycleDelay,
      random: options.random,
    });
    this.allRefused = this.#pacing.allRefused;
    this.#search = new ReadWriteSearch({
      ring: this.#hosts,
      transport: options.transport,
      tls: options.tls,
      clock: options.clock,
      found: (index) => {
        if (this.#state.type !== "connectedReadOnly") return;
        const { host, port } = this.#hosts.at(index);
        this.#hosts.choose(index);
        this.#lost(new Error(`Moving to read-write server ${host}:${port}`), 0);
      },
    });
    if (options.resume !== undefined) {
      this.#sessionId = options.resume.sessionId;
      this.#password = options.resume.password;
      this.#seenReadWrite = true;
    }
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
    return (BigInt(this.#lastZxidHi) << 32n) | BigInt(this.#lastZxidLo);
  }

  /** Whether requests are being sent now (connected, handshake done). */
  get connected(): boolean {
    return (this.#conn?.established ?? false) && this.#authenticating === undefined;
  }

  /** The servers, in the order they are tried. */
  get hosts(): readonly HostPort[] {
    return this.#hosts.hosts;
  }

  /** Why the last connection (or attempt) ended, if one did. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /** Whether the session has ended: closed, expired or refused authentication. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Sends a request, pipelined behind every earlier one. While disconnected
   * the request waits for the next connection of the same session.
   *
   * @param request The request.
   * @param call A deadline, a signal, the caller's stack.
   * @returns The decoded reply; rejects, never throws.
   */
  submit<T>(request: Request<T>, call?: CallControl): Promise<T> {
    const { verb, path } = request;
    const refuse = (error: Error) => Promise.reject(withCaller(error, call?.caller));
    if (this.#ended) return refuse(ZooKeeperError.fromServer(endCode(this.#state), verb, path));
    const signal = call?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    let frame: Uint8Array;
    try {
      frame = encodeRequest(request);
    } catch (error) {
      return refuse(
        new ZooKeeperError(
          "BADARGUMENTS",
          `Cannot ${describeRequest(verb, path)}: ${(error as Error).message}`,
          { path, cause: error },
        ),
      );
    }
    const limit = this.#options.maxRequestSize ?? DEFAULT_MAX_REQUEST_SIZE;
    if (frame.length - 4 > limit) {
      return refuse(
        new ZooKeeperError(
          "BADARGUMENTS",
          `Cannot ${describeRequest(verb, path)}: request of ${frame.length - 4} bytes ` +
            `exceeds the limit of ${limit} bytes`,
          { path },
        ),
      );
    }
    const xid = this.#requests.nextXid();
    setXid(frame, xid);
    const metrics = this.#options.metrics;
    return new Promise<T>((resolve, reject) => {
      let pending: PendingRequest = {
        xid,
        frame,
        verb,
        path,
        decode: request.decode,
        onReply: request.onReply,
        nullOn: request.nullOn,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      if (metrics !== undefined) {
        pending = measured(pending, request.opcode, metrics, this.#options.clock);
      }
      if (call !== undefined) pending = guarded(pending, call, this.#options.clock);
      const { reject: fail } = pending;
      if (this.connected) {
        this.#requests.sent(pending);
        this.#conn!.write(frame);
      } else if (this.#options.failFast && this.#everConnected) {
        fail(ZooKeeperError.fromServer("CONNECTIONLOSS", verb, path));
      } else {
        this.#requests.hold(pending);
      }
    });
  }

  /**
   * Adds credentials to the session; they are sent again on every reconnect.
   *
   * @param scheme The scheme, such as `"digest"`.
   * @param auth The credentials, such as the bytes of `"user:password"`.
   * @returns Resolves when the server accepts them (a connection lost before
   *   the answer carries them again on the next one); rejects when it refuses
   *   them or the session ends first.
   */
  addAuth(scheme: string, auth: Uint8Array): Promise<void> {
    if (this.#ended) {
      return Promise.reject(ZooKeeperError.fromServer(endCode(this.#state), "authenticate"));
    }
    return new Promise((resolve, reject) => {
      const frame = this.#auth.add(scheme, auth, { resolve, reject }, this.connected);
      if (frame !== undefined) this.#conn!.write(frame);
    });
  }

  /**
   * Ends the session: sends closeSession and waits for its reply (up to the
   * read timeout), then closes the connection. Requests still waiting reject
   * with `CLOSED`. While disconnected or in a reconnect handshake it first
   * waits up to `closeTimeout` for a connection to the session, so that the
   * server deletes its ephemeral nodes now rather than when it expires.
   */
  async close(): Promise<void> {
    if (this.#ended) return;
    // The server closes the socket once it has answered closeSession: that is
    // the end, not a connection loss to recover from.
    this.#closing = true;
    const reach = this.#options.closeTimeout ?? 1000;
    if (!this.connected && this.#everConnected && reach > 0) await this.#reachServer(reach);
    if (this.connected) {
      const wait = this.#conn!.readTimeout ?? this.#timeout;
      let timer: TimerHandle | undefined;
      await Promise.race([
        this.submit({ opcode: OpCode.closeSession, verb: "close session" }).catch(() => {}),
        new Promise<void>((resolve) => {
          timer = this.#options.clock.setTimeout(resolve, wait);
        }),
      ]);
      this.#options.clock.clearTimeout(timer);
    }
    this.#end({ type: "closed" });
  }

  /**
   * Replaces the server list (after a reconfiguration) and moves to another
   * server when the Java client's rebalancing rule says so; the session, its
   * watches and its queued requests move with it.
   *
   * @param hosts The new servers, at least one.
   * @returns Whether the client is moving to another server.
   */
  updateHosts(hosts: readonly HostPort[]): boolean {
    const ring = this.#hosts;
    const current = ring.index < 0 ? undefined : ring.current;
    const plan = rebalance(ring.hosts, hosts, current, this.#options.random);
    const stay = current === undefined ? -1 : plan.hosts.findIndex((h) => sameHost(h, current));
    ring.replace(plan.hosts, plan.moveTo === undefined ? stay : -1);
    if (plan.moveTo === undefined || this.#ended) return false;
    ring.choose(plan.moveTo);
    if (this.#conn !== undefined) {
      const { host, port } = plan.hosts[plan.moveTo];
      this.#lost(new Error(`Moving to ${host}:${port} after a change of the server list`), 0);
    }
    return true;
  }

  // ClientCnxn gives up on closeSession when disconnected, leaving the
  // session's ephemeral nodes until it expires; this reconnects, for a while.
  #reachServer(timeout: number): Promise<void> {
    const { clock } = this.#options;
    this.#requests.failAll((p) => ZooKeeperError.fromServer("CLOSED", p.verb, p.path));
    return new Promise((resolve) => {
      const timer = clock.setTimeout(() => this.#reached?.(), timeout);
      this.#reached = () => {
        this.#reached = undefined;
        clock.clearTimeout(timer);
        resolve();
      };
      if (this.#conn === undefined) {
        clock.clearTimeout(this.#retryTimer);
        this.#connect();
      }
    });
  }

  #connect(): void {
    const { sessionTimeout, readOnly } = this.#options;
    const conn = new Connection({
      host: this.#hosts.advance(),
      transport: this.#options.transport,
      tls: this.#options.tls,
      clock: this.#options.clock,
      maxFrameSize: this.#options.maxFrameSize,
      timeout: Math.max(1, Math.floor(this.#timeout / this.#hosts.size)),
      handshake: {
        protocolVersion: 0,
        lastZxidSeen: this.lastZxid,
        timeOut: sessionTimeout,
        // A session made on a read-only server is local to it: Java starts a
        // new one (id 0) until it has seen a read-write server.
        sessionId: this.#seenReadWrite ? this.#sessionId : 0n,
        passwd: this.#password,
        readOnly,
      },
    }, {
      established: (response) => this.#onEstablished(conn, response),
      frame: (r) => this.#onFrame(r),
      oversized: (r, length) => this.#onOversized(r, length),
      lost: (error) => {
        if (conn === this.#conn) this.#lost(error);
      },
    });
    this.#conn = conn;
  }

  #onEstablished(conn: Connection, response: ConnectResponse): void {
    if (this.#ended) return;
    if (response.timeOut <= 0) {
      this.#end({ type: "expired" });
      return;
    }
    const resumed = this.#everConnected && response.sessionId === this.#sessionId;
    this.#sessionId = response.sessionId;
    this.#password = response.passwd;
    this.#timeout = this.#honoured(response.timeOut);
    this.#everConnected = true;
    this.#pacing.established();
    if (!response.readOnly) this.#seenReadWrite = true;
    this.#options.clock.clearTimeout(this.#expiryTimer);
    this.#expiryDue = false;
    conn.startHeartbeat(this.#timeout);
    if (this.#options.sasl !== undefined) {
      this.#authenticating = conn;
      // A refused login ends the session before the server's close arrives.
      const refused = () => this.#end({ type: "authFailed" });
      const write = (frame: Uint8Array) => conn.write(frame);
      saslLogin(this.#options.sasl, this.#requests, write, refused).then(() => {
        if (this.#authenticating !== conn || this.#ended) return;
        this.#authenticating = undefined;
        this.#prime(conn, response, resumed);
      }, (error: Error) => {
        if (this.#authenticating !== conn || this.#ended) return;
        if (ZooKeeperError.is(error, "CONNECTIONLOSS")) return;
        this.#lastError = error;
        this.#end({ type: "authFailed" });
      });
      return;
    }
    this.#prime(conn, response, resumed);
  }

  // The expiry timer waits 4/3 of the timeout, which a runtime's timer must
  // be able to wait: past MAX_TIMER_DELAY it would fire at once and end the
  // session at its first disconnection.
  #honoured(granted: number): number {
    if (granted <= MAX_SESSION_TIMEOUT) return granted;
    this.#listener.warning?.(
      new RangeError(
        `The server granted a session timeout of ${granted} ms; the client keeps ` +
          `${MAX_SESSION_TIMEOUT} ms, the longest whose expiry margin (4/3 of it) a timer can wait`,
      ),
    );
    return MAX_SESSION_TIMEOUT;
  }

  #prime(conn: Connection, response: ConnectResponse, resumed: boolean): void {
    // Auth first, then watches, then whatever waited: the order
    // ClientCnxn.primeConnection uses, so that restored watches and queued
    // requests run with the session's credentials.
    for (const frame of this.#auth.replay()) conn.write(frame);
    if (this.#closing) {
      this.#reached?.();
      return;
    }
    for (const req of this.#listener.restoreWatches(this.lastZxid)) {
      conn.write(encodeControl(Xid.setWatches, req));
    }
    for (const pending of this.#requests.takeOffline()) {
      this.#requests.sent(pending);
      conn.write(pending.frame);
    }
    const details = {
      sessionId: response.sessionId,
      timeout: this.#timeout,
      host: this.#hosts.current,
    };
    if (response.readOnly) this.#search.start(this.#options.probeDelay ?? 100);
    this.#setState(
      response.readOnly
        ? { type: "connectedReadOnly", ...details }
        : resumed
        ? { type: "reconnected", ...details }
        : { type: "connected", ...details },
    );
  }

  // Throws on a reply that breaks the stream; the connection then counts as lost.
  // The ReplyHeader (xid, zxid, err) is read field by field.
  #onFrame(r: JuteReader): void {
    if (this.#ended) return;
    const xid = r.readInt();
    const zxidHi = r.readInt();
    const zxidLo = r.readInt() >>> 0;
    const err = r.readInt();
    switch (xid) {
      case Xid.ping:
      case Xid.setWatches:
        return;
      case Xid.notification:
        // The WatcherEvent record, read field by field.
        this.#listener.notification(r.readInt(), r.readInt(), r.readString() ?? "");
        return;
      case Xid.auth:
        this.#onAuthReply(err);
        return;
    }
    const pending = this.#requests.match(xid);
    if (zxidHi > 0 || (zxidHi === 0 && zxidLo > 0)) {
      this.#lastZxidHi = zxidHi;
      this.#lastZxidLo = zxidLo;
    }
    this.#requests.settle(pending, err, r);
  }

  // A reply over maxFrameSize fails its request alone; the body was dropped
  // and the stream goes on. Anything else that large breaks the stream.
  #onOversized(r: JuteReader, length: number): void {
    if (this.#ended) return;
    const xid = r.readInt();
    const zxidHi = r.readInt();
    const zxidLo = r.readInt() >>> 0;
    const limit = this.#options.maxFrameSize;
    if (xid <= 0) {
      throw new RangeError(`Frame length ${length} is out of range (0 to ${limit} bytes)`);
    }
    const pending = this.#requests.match(xid);
    if (zxidHi > 0 || (zxidHi === 0 && zxidLo > 0)) {
      this.#lastZxidHi = zxidHi;
      this.#lastZxidLo = zxidLo;
    }
    this.#requests.oversized(pending, length, limit);
  }

  #onAuthReply(err: number): void {
    const waiter = this.#auth.answered();
    if (err === 0) {
      waiter?.resolve();
      return;
    }
    waiter?.reject(ZooKeeperError.fromServer(err, "authenticate", undefined));
    if (err === ErrorCode.AUTHFAILED) this.#end({ type: "authFailed" });
  }

  #teardown(): void {
    const conn = this.#conn;
    if (conn !== undefined) this.#lastReceive = Math.max(this.#lastReceive, conn.lastReceive);
    conn?.close();
    this.#conn = undefined;
    this.#authenticating = undefined;
    this.#search.stop();
  }

  #lost(error: Error, reconnectDelay?: number): void {
    if (this.#ended) return;
    if (this.#closing && this.#reached === undefined) {
      this.#end({ type: "closed" });
      return;
    }
    if (this.#expiryDue) {
      this.#end({ type: "expired" });
      return;
    }
    this.#lastError = error;
    const wasConnected = this.connected;
    this.#teardown();
    this.#requests.failAwaiting((p) =>
      ZooKeeperError.fromServer("CONNECTIONLOSS", p.verb, p.path, error)
    );
    this.#auth.unsent();
    const { clock } = this.#options;
    if (wasConnected) {
      this.#setState({ type: "disconnected", error });
      // The server expires the session once it has heard nothing for the
      // session timeout, counted from its own last receipt (up to a third of
      // the timeout after ours, rounded up to a tick), and a new leader starts
      // every session's timeout afresh. The client gives up after 4/3 of the
      // timeout without a reply, the margin of ClientCnxn's
      // expirationTimeout (ZOOKEEPER-4508), and never while a handshake is in
      // flight: its answer says whether the session lives.
      // Not in read-only mode: an ensemble that lost its quorum has no leader
      // to expire anything, and the session may still be there when it returns.
      if (!this.#options.readOnly) {
        const left = this.#lastReceive + Math.floor(this.#timeout * 4 / 3) - clock.now();
        this.#expiryTimer = clock.setTimeout(() => this.#expire(), Math.max(1, left));
      }
    } else if (this.#state.type !== "disconnected" && this.#state.type !== "connecting") {
      this.#setState({ type: "disconnected", error });
    }
    const delay = this.#pacing.failed(error, wasConnected, this.#everConnected, reconnectDelay);
    this.#retryTimer = clock.setTimeout(() => this.#connect(), delay);
  }

  #expire(): void {
    if (this.#conn === undefined) this.#end({ type: "expired" });
    else this.#expiryDue = true;
  }

  #end(state: ConnectionState & { type: "closed" | "expired" | "authFailed" }): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#teardown();
    const { clock } = this.#options;
    clock.clearTimeout(this.#retryTimer);
    clock.clearTimeout(this.#expiryTimer);
    this.#reached?.();
    const code = endCode(state);
    this.#requests.failAll((p) => ZooKeeperError.fromServer(code, p.verb, p.path));
    this.#auth.failAll(ZooKeeperError.fromServer(code, "authenticate", undefined));
    this.#setState(state);
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    this.#listener.state(state);
  }
}
