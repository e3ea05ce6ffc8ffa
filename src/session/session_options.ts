/**
 * The settings of a session and what it reports to the client above it.
 *
 * @module
 */

import type { ClientMetricsRecorder } from "../util/client_metrics.ts";
import type { TlsOptions, Transport } from "../transport/transport.ts";
import type { Clock } from "./clock.ts";
import type { HostPort } from "./connect_string.ts";
import type { ControlRequest } from "./request_encoder.ts";
import type { SaslOptions } from "./sasl.ts";
import type { ConnectionState } from "./state.ts";

/** What the session reports to the client above it. */
export interface SessionListener {
  /**
   * A watch notification arrived: the fields of its WatcherEvent, passed as
   * they are read so that the one event object made is the one watchers get.
   *
   * @param type The event type, one of `EventType`.
   * @param state The keeper state, one of `KeeperState`.
   * @param path The server's path, `""` for session events.
   */
  notification(type: number, state: number, path: string): void;
  /** The connection state changed. */
  state(state: ConnectionState): void;
  /**
   * The SetWatches requests to send after re-attaching to the session, built
   * with the last zxid seen.
   */
  restoreWatches(lastZxid: bigint): ControlRequest[];
  /** Something the session did differently from what was asked, and why. */
  warning?(error: Error): void;
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
  tls?: TlsOptions | undefined;
  /** Accept read-only servers. */
  readOnly: boolean;
  /** Largest frame accepted from the server. */
  maxFrameSize: number;
  /** Largest request frame sent (after the length prefix): `jute.maxbuffer`. */
  maxRequestSize?: number | undefined;
  /** Longest random wait before reconnecting after a loss (Java: 1000 ms). */
  reconnectDelay: number;
  /** Wait after trying every host in a row without success (Java: 1000 ms). */
  cycleDelay: number;
  /** Source of randomness for the reconnect delay. */
  random: () => number;
  /** The first xid to use (tests start near the wrap-around). */
  firstXid?: number | undefined;
  /**
   * Reject requests made while disconnected at once with `CONNECTIONLOSS`
   * instead of queueing them for the next connection.
   */
  failFast?: boolean | undefined;
  /** An existing session to resume, with its password. */
  resume?: { sessionId: bigint; password: Uint8Array } | undefined;
  /**
   * How long `close()` waits for a connection to the session, when there is
   * none, to send closeSession on (default 1000 ms).
   */
  closeTimeout?: number | undefined;
  /** First wait before probing for a read-write server while read-only (Java: 100 ms). */
  probeDelay?: number | undefined;
  /** Log in with SASL on every connection, before anything else is sent. */
  sasl?: SaslOptions | undefined;
  /** Told of every request sent and its end; nothing is measured without it. */
  metrics?: ClientMetricsRecorder | undefined;
}
