/**
 * One ZooKeeper session over a succession of connections: the state machine
 * that moves between connecting, connected, disconnected and the final
 * states. The parts it drives live beside it: the session's identity, the
 * connection (socket, handshake, heartbeat), the reply router, the request
 * queue, the auth book, the SASL step, the host ring, the expiry timer and
 * the read-write search. It knows nothing of watches beyond handing
 * notifications up and asking which watches to restore.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/ClientCnxn.java
 * @module
 */

import type { JuteReader } from "../jute/reader.ts";
import { OpCode } from "../protocol/constants.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import type { ConnectResponse } from "../protocol/records_session.ts";
import { AuthBook } from "./auth_book.ts";
import type { CallOptions } from "./call.ts";
import type { TimerHandle } from "./clock.ts";
import { CloseWait } from "./close_wait.ts";
import { connectAttempt, primeConnection } from "./connect_attempt.ts";
import type { Connection, ConnectionEvents } from "./connection.ts";
import type { HostPort } from "./connect_string.ts";
import { HostRing } from "./host_ring.ts";
import { ReadWriteSearch } from "./read_write_search.ts";
import { ReconnectPacing } from "./reconnect_pacing.ts";
import type { Request } from "./request_encoder.ts";
import { frameRequest } from "./request_frame.ts";
import { promiseSettledBy, queuedRequest, withCallOptions } from "./pending_request.ts";
import { type PendingRequest, RequestQueue } from "./request_queue.ts";
import { ReplyRouter } from "./reply_router.ts";
import { SaslStep } from "./sasl_step.ts";
import { SessionExpiry } from "./session_expiry.ts";
import { SessionIdentity } from "./session_identity.ts";
import type { SessionListener, SessionOptions } from "./session_options.ts";
import { connectedState, type ConnectionState, endCode } from "./state.ts";

export type { SessionListener, SessionOptions } from "./session_options.ts";
export { MAX_SESSION_TIMEOUT } from "./session_identity.ts";

// A session's life, in this order.
const Phase = { new: 0, running: 1, closing: 2, ended: 3 } as const;
type Phase = typeof Phase[keyof typeof Phase];

/** A session with a ZooKeeper ensemble. */
export class Session {
  readonly #options: SessionOptions;
  #listener: SessionListener | undefined;
  readonly #requests: RequestQueue;
  readonly #auth = new AuthBook();
  readonly #hosts: HostRing;
  #search: ReadWriteSearch | undefined; // made when a read-only server first answers
  readonly #identity: SessionIdentity;
  #replies: ReplyRouter | undefined;
  readonly #expiry: SessionExpiry;
  readonly #sasl: SaslStep;
  // Made by close(), which alone waits.
  #closeWait: CloseWait | undefined;
  #state: ConnectionState = { type: "connecting" };
  #conn: Connection | undefined;
  #lastError: Error | undefined;
  readonly #pacing: ReconnectPacing;
  #everConnected = false;
  // Where the session is in its life, in one field that start() writes
  // already: V8 compiles a field that no object has written since it was made
  // as a constant, and a flag first written when some session closes would
  // throw away the compiled calls of every session of the process.
  #phase: Phase = Phase.new;
  #retryTimer: TimerHandle | undefined;

  /**
   * Creates the session; {@linkcode Session.start} connects it.
   *
   * @param options Settings.
   */
  constructor(options: SessionOptions) {
    this.#options = options;
    this.#identity = new SessionIdentity(options.sessionTimeout, options.resume);
    this.#requests = new RequestQueue(options.firstXid ?? 1);
    this.#expiry = new SessionExpiry(options.clock);
    this.#sasl = new SaslStep(options.sasl, options.clock);
    this.#hosts = new HostRing(options.hosts);
    this.#pacing = new ReconnectPacing(this.#hosts, options);
  }

  /**
   * Starts connecting; from then on `listener` hears of every notification
   * and change of state.
   *
   * @param listener Receives notifications and state changes.
   * @throws {Error} When the session was started already.
   */
  start(listener: SessionListener): void {
    if (this.#listener !== undefined) throw new Error("The session was started already");
    this.#listener = listener;
    this.#replies = new ReplyRouter({
      requests: this.#requests,
      identity: this.#identity,
      auth: this.#auth,
      listener,
      maxFrameSize: this.#options.maxFrameSize,
    });
    if (this.#phase === Phase.new) this.#phase = Phase.running;
    if (this.#phase !== Phase.ended) this.#connect();
  }

  /**
   * Calls `listener` with the last error once a whole round of servers
   * refused outright before the first session; returns its removal (see
   * {@linkcode ReconnectPacing.onAllRefused}).
   */
  onAllRefused(listener: (error: Error) => void): () => void {
    return this.#pacing.onAllRefused(listener);
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /**
   * The session id (`0n` before the first connection), its password, the
   * negotiated timeout (the requested one until connected), the last zxid.
   */
  get identity(): SessionIdentity {
    return this.#identity;
  }

  /** Whether requests are being sent now (connected, handshake done). */
  get connected(): boolean {
    return (this.#conn?.established ?? false) && !this.#sasl.running;
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
    return this.#phase === Phase.ended;
  }

  /**
   * Sends a request, pipelined behind every earlier one. While disconnected
   * the request waits for the next connection of the same session.
   *
   * @param request The request.
   * @param call A deadline, a signal.
   * @returns The decoded reply; rejects, never throws.
   */
  submit<T>(request: Request<T>, call?: CallOptions): Promise<T> {
    const { verb, path } = request;
    if (this.#phase === Phase.ended) {
      return Promise.reject(ZooKeeperError.fromServer(endCode(this.#state), verb, path));
    }
    if (call?.signal?.aborted) return Promise.reject(call.signal.reason);
    let queued: PendingRequest | undefined;
    let reply: Promise<T>;
    try {
      const frame = frameRequest(request, this.#options.maxRequestSize);
      queued = queuedRequest(request, frame, this.#requests.nextXid());
      reply = promiseSettledBy<T>(queued);
      const pending = withCallOptions(queued, request.opcode, this.#options, call);
      if (this.connected) {
        this.#requests.sent(pending);
        this.#conn!.write(frame);
      } else if (this.#options.failFast && this.#everConnected) {
        pending.reject(ZooKeeperError.fromServer("CONNECTIONLOSS", verb, path));
      } else {
        this.#requests.hold(pending);
      }
    } catch (error) {
      if (queued === undefined) return Promise.reject(error);
      queued.reject(error as Error);
    }
    return reply!;
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
    if (this.#phase === Phase.ended) {
      return Promise.reject(ZooKeeperError.fromServer(endCode(this.#state), "authenticate"));
    }
    return new Promise((resolve, reject) => {
      const max = this.#options.maxRequestSize;
      const frame = this.#auth.add(scheme, auth, { resolve, reject }, this.connected, max);
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
    if (this.#phase === Phase.ended) return;
    // The server closes the socket once it has answered closeSession: that is
    // the end, not a connection loss to recover from.
    this.#phase = Phase.closing;
    const closeWait = this.#closeWait ??= new CloseWait(this.#options.clock);
    const reach = this.#options.closeTimeout ?? 1000;
    if (!this.connected && this.#everConnected && reach > 0) {
      await this.#reachServer(closeWait, reach);
    }
    if (this.connected) {
      const wait = this.#conn!.readTimeout ?? this.#identity.timeout;
      await closeWait.forReply(
        this.submit({ opcode: OpCode.closeSession, verb: "close session" }),
        wait,
      );
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
    const moveTo = this.#hosts.rebalance(hosts, this.#options.random);
    if (moveTo === undefined || this.#phase === Phase.ended) return false;
    if (this.#conn === undefined) this.#hosts.choose(moveTo);
    else this.#moveTo(moveTo, "", " after a change of the server list");
    return true;
  }

  // Drops the connection to reconnect at once to the server at `index`.
  #moveTo(index: number, which: string, why = ""): void {
    const { host, port } = this.#hosts.at(index);
    this.#hosts.choose(index);
    this.#lost(new Error(`Moving to ${which}${host}:${port}${why}`), 0);
  }

  // ClientCnxn gives up on closeSession when disconnected, leaving the
  // session's ephemeral nodes until it expires; this reconnects, for a while.
  #reachServer(closeWait: CloseWait, timeout: number): Promise<void> {
    this.#requests.failAll((p) => ZooKeeperError.fromServer("CLOSED", p.verb, p.path));
    const reached = closeWait.forConnection(timeout);
    if (this.#conn === undefined) {
      this.#options.clock.clearTimeout(this.#retryTimer);
      this.#connect();
    }
    return reached;
  }

  #connect(): void {
    this.#retryTimer = undefined;
    const link = new Session.#Link(this);
    this.#conn = link.conn = connectAttempt(this.#options, this.#hosts, this.#identity, link);
  }

  // What a connection reports, as one object whose methods are shared: a
  // connection lives as long as its session, and four closures with their
  // scope would be held all that time.
  static readonly #Link = class implements ConnectionEvents {
    conn: Connection | undefined;
    readonly #session: Session;

    constructor(session: Session) {
      this.#session = session;
    }

    established(response: ConnectResponse): void {
      this.#session.#onEstablished(this.conn!, response);
    }

    frame(r: JuteReader): void {
      const session = this.#session;
      if (session.#phase !== Phase.ended && session.#replies!.frame(r)) {
        session.#end({ type: "authFailed" });
      }
    }

    oversized(r: JuteReader, length: number): void {
      if (this.#session.#phase !== Phase.ended) this.#session.#replies!.oversized(r, length);
    }

    lost(error: Error): void {
      if (this.conn === this.#session.#conn) this.#session.#lost(error);
    }
  };

  #onEstablished(conn: Connection, response: ConnectResponse): void {
    if (this.#phase === Phase.ended) return;
    if (response.timeOut <= 0) {
      this.#end({ type: "expired" });
      return;
    }
    const resumed = this.#everConnected && response.sessionId === this.#identity.sessionId;
    this.#identity.adopt(response, (error) => this.#listener!.warning?.(error));
    this.#everConnected = true;
    this.#pacing.established();
    this.#expiry.clear();
    conn.startHeartbeat(this.#identity.timeout);
    // A refused login ends the session before the server's close arrives.
    this.#sasl.run(conn, this.#requests, () => this.#prime(conn, response, resumed), (error) => {
      if (error !== undefined) this.#lastError = error;
      this.#end({ type: "authFailed" });
    });
  }

  #prime(conn: Connection, response: ConnectResponse, resumed: boolean): void {
    // While closing, only the credentials go: closeSession follows them.
    const watches = this.#phase >= Phase.closing
      ? undefined
      : this.#listener!.restoreWatches(this.#identity.lastZxid);
    primeConnection(conn, this.#auth, watches, this.#requests);
    if (this.#phase >= Phase.closing) {
      this.#closeWait?.reached();
      return;
    }
    const details = {
      sessionId: response.sessionId,
      timeout: this.#identity.timeout,
      host: this.#hosts.current,
    };
    if (response.readOnly) this.#readWriteSearch().start(this.#options.probeDelay ?? 100);
    this.#setState(connectedState(response.readOnly, resumed, details));
  }

  #teardown(): void {
    if (this.#conn !== undefined) this.#expiry.heard(this.#conn.lastReceive);
    this.#conn?.close();
    this.#conn = undefined;
    this.#sasl.drop();
    this.#search?.stop();
  }

  #readWriteSearch(): ReadWriteSearch {
    return this.#search ??= new ReadWriteSearch(this.#hosts, this.#options, (index) => {
      if (this.#state.type === "connectedReadOnly") this.#moveTo(index, "read-write server ");
    });
  }

  #lost(error: Error, reconnectDelay?: number): void {
    if (this.#phase === Phase.ended) return;
    if (this.#phase >= Phase.closing && this.#closeWait?.waiting !== true) {
      this.#end({ type: "closed" });
      return;
    }
    if (this.#expiry.due) {
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
    if (wasConnected) {
      this.#setState({ type: "disconnected", error });
      // Not in read-only mode: an ensemble that lost its quorum has no leader
      // to expire anything, and the session may still be there when it returns.
      if (!this.#options.readOnly) {
        this.#expiry.arm(
          this.#identity.timeout,
          () => this.#conn !== undefined,
          () => this.#end({ type: "expired" }),
        );
      }
    } else if (this.#state.type !== "disconnected" && this.#state.type !== "connecting") {
      this.#setState({ type: "disconnected", error });
    }
    const delay = this.#pacing.failed(error, wasConnected, this.#everConnected, reconnectDelay);
    this.#retryTimer = this.#options.clock.setTimeout(() => this.#connect(), delay);
  }

  #end(state: ConnectionState & { type: "closed" | "expired" | "authFailed" }): void {
    if (this.#phase === Phase.ended) return;
    this.#phase = Phase.ended;
    this.#teardown();
    this.#options.clock.clearTimeout(this.#retryTimer);
    this.#expiry.clear();
    this.#closeWait?.reached();
    const code = endCode(state);
    this.#requests.failAll((p) => ZooKeeperError.fromServer(code, p.verb, p.path));
    this.#auth.failAll(ZooKeeperError.fromServer(code, "authenticate", undefined));
    this.#setState(state);
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    this.#listener?.state(state);
  }
}
