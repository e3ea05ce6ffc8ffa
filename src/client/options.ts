/**
 * The settings of a client, and how they become the settings of its session.
 *
 * @module
 */

import { DEFAULT_MAX_FRAME_SIZE, DEFAULT_MAX_REQUEST_SIZE } from "../protocol/constants.ts";
import type { Clock } from "../session/clock.ts";
import { clockOption } from "../util/clock.ts";
import type { HostPort } from "../session/connect_string.ts";
import type { SaslOptions } from "../session/sasl.ts";
import type { SessionOptions } from "../session/session.ts";
import type { TlsOptions, Transport } from "../transport/transport.ts";
import type { ClientMetricsRecorder } from "../util/client_metrics.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import { typeName } from "../util/type_name.ts";
import { isSignal } from "./arguments.ts";
import type { Data } from "./types.ts";
import type { Watcher } from "./watch_registry.ts";

/** Options of {@linkcode ZooKeeper.connect}. */
export interface ZooKeeperOptions {
  /**
   * Requested session timeout in milliseconds; the server bounds it between
   * 2 and 20 ticks by default.
   *
   * @default {10000}
   */
  sessionTimeout?: number | undefined;
  /**
   * How long `connect` waits for the first session before it fails.
   *
   * @default {15000}
   */
  connectTimeout?: number | undefined;
  /** Receives every session event (`type: "None"`), as the Java default watcher. */
  watcher?: Watcher | undefined;
  /** Credentials sent at connect and on every reconnect, such as digest `user:password`. */
  auth?: { scheme: string; auth: Data }[] | undefined;
  /**
   * Log in with SASL DIGEST-MD5 on every connection, before any other
   * request (the server's `SASLAuthenticationProvider` with a JAAS
   * `DigestLoginModule`). A refused login ends the session: `authFailed`,
   * and `connect` rejects with `AUTHFAILED`. GSSAPI (Kerberos) is not supported.
   */
  sasl?: SaslOptions | undefined;
  /**
   * Watch the ensemble's config (`/zookeeper/config`) and update the server
   * list when its membership changes, as {@linkcode ZooKeeper.updateServerList}.
   */
  followConfig?: boolean | undefined;
  /** Accept read-only servers when the ensemble has lost its quorum. */
  readOnly?: boolean | undefined;
  /** TLS settings, for ZooKeeper's secure client port. */
  tls?: TlsOptions | undefined;
  /**
   * Largest znode data accepted before sending (the server's `jute.maxbuffer`).
   *
   * @default {1048575}
   */
  maxDataSize?: number | undefined;
  /**
   * Largest frame accepted from the server. A reply over it fails its call
   * with `MARSHALLINGERROR` (the connection goes on).
   *
   * @default {1049599}
   */
  maxFrameSize?: number | undefined;
  /**
   * Largest request sent, in bytes of its whole frame: set it to the
   * server's `jute.maxbuffer`, beyond which the server drops the connection.
   * A larger request is refused with `BADARGUMENTS` before it is sent.
   *
   * @default {1048575}
   */
  maxRequestSize?: number | undefined;
  /**
   * Longest random wait before reconnecting after a loss, in milliseconds.
   *
   * @default {1000}
   */
  reconnectDelay?: number | undefined;
  /**
   * How long `close()` may spend reconnecting, when the connection is down,
   * to end the session on the server: its ephemeral nodes then go at once
   * instead of when the session expires. `0` ends locally at once, as the
   * Java client does.
   *
   * @default {1000}
   */
  closeTimeout?: number | undefined;
  /**
   * Reject calls made while disconnected at once with `CONNECTIONLOSS`. By
   * default they wait for the next connection of the session, until it
   * expires or the client closes.
   */
  failFast?: boolean | undefined;
  /**
   * Resume an existing session (another client's `sessionId` and
   * `sessionPassword`) instead of starting a new one.
   */
  session?: { sessionId: bigint; password: Uint8Array } | undefined;
  /** Try hosts in the given order instead of a random one. */
  keepHostOrder?: boolean | undefined;
  /** The socket implementation; by default the runtime's own. */
  transport?: Transport | undefined;
  /**
   * Receives errors thrown by watchers and listeners, which would otherwise
   * be lost.
   *
   * @default {console.error}
   */
  onError?: ((error: unknown) => void) | undefined;
  /** Aborts `connect`. */
  signal?: AbortSignal | undefined;
  /**
   * The `timeout` of every call that gives none, in milliseconds: past it the
   * call rejects with `OPERATIONTIMEOUT` (a request already sent may still be
   * applied). None by default, as in the Java client: a call waits for its
   * reply, for the next connection while disconnected, until the session ends.
   */
  requestTimeout?: number | undefined;
  /**
   * Give the error of a reply the frames of the code awaiting the call (the
   * async functions that `await` it), since the error itself is made where
   * the reply is read. Nothing is captured while calls succeed; `false` saves
   * the one `await` each call adds.
   *
   * @default {true}
   */
  callerStacks?: boolean | undefined;
  /**
   * Told of every request (operation, duration, error code), the watches
   * held by kind, the events delivered and the connection state changes,
   * such as a `PrometheusClientRecorder` from `@nd/service-registry/http`.
   * Without one nothing is measured.
   */
  metrics?: ClientMetricsRecorder | undefined;
  /**
   * The timers and time of the session and of everything built on the
   * client (connect timeout, retries, lock waits): a fake clock in tests.
   *
   * @default {systemClock}
   */
  clock?: Clock | undefined;
}

/**
 * The session settings for a client's options.
 *
 * @param hosts The servers, in the order to try them.
 * @param transport Opens connections.
 * @param options The client's options.
 * @returns The session's settings.
 */
export function sessionOptions(
  hosts: HostPort[],
  transport: Transport,
  options: ZooKeeperOptions,
): SessionOptions {
  return {
    hosts,
    sessionTimeout: options.sessionTimeout ?? 10_000,
    transport,
    clock: clockOption(options.clock),
    tls: options.tls,
    readOnly: options.readOnly ?? false,
    maxFrameSize: options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE,
    maxRequestSize: options.maxRequestSize ?? DEFAULT_MAX_REQUEST_SIZE,
    reconnectDelay: options.reconnectDelay ?? 1000,
    cycleDelay: 1000,
    random: Math.random,
    failFast: options.failFast ?? false,
    closeTimeout: options.closeTimeout ?? 1000,
    resume: options.session,
    sasl: options.sasl,
    metrics: options.metrics,
  };
}

/**
 * The hosts in the order to try them: as given with `keepHostOrder`, shuffled
 * otherwise so that clients spread over the ensemble.
 *
 * @param hosts The hosts of the connect string.
 * @param keepOrder Whether to keep their order.
 * @returns The hosts to try.
 */
export function hostOrder(hosts: HostPort[], keepOrder: boolean): HostPort[] {
  if (keepOrder) return hosts;
  for (let i = hosts.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [hosts[i], hosts[j]] = [hosts[j], hosts[i]];
  }
  return hosts;
}

const TIMES = [
  "sessionTimeout",
  "connectTimeout",
  "requestTimeout",
  "closeTimeout",
  "reconnectDelay",
] as const;

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

function badOption(problem: string): ZooKeeperError {
  return new ZooKeeperError("BADARGUMENTS", `Cannot connect: ${problem}`);
}

/**
 * Checks the settings that would otherwise fail far from the call: the times
 * (numbers of milliseconds, the session timeout an integer a handshake can
 * carry), the signal, and the session to resume (its id a `bigint` a
 * handshake can carry, its password bytes).
 *
 * @param options The client's options.
 * @throws {ZooKeeperError} `BADARGUMENTS` naming the option.
 */
export function checkConnectOptions(options: ZooKeeperOptions): void {
  if (typeof options !== "object" || options === null) {
    throw badOption(`options must be an object, not ${typeName(options)}`);
  }
  const { signal, session } = options;
  if (signal !== undefined && !isSignal(signal)) {
    throw badOption(`signal must be an AbortSignal, not ${typeName(signal)}`);
  }
  if (session !== undefined) {
    if (typeof session !== "object" || session === null) {
      throw badOption(`session must be an object, not ${typeName(session)}`);
    }
    const { sessionId, password } = session;
    if (typeof sessionId !== "bigint" || sessionId < LONG_MIN || sessionId > LONG_MAX) {
      throw badOption(
        `session.sessionId must be a bigint within a signed 64-bit long, not ${
          typeof sessionId === "bigint" ? `${sessionId}n` : typeName(sessionId)
        }`,
      );
    }
    if (!(password instanceof Uint8Array)) {
      throw badOption(`session.password must be a Uint8Array, not ${typeName(password)}`);
    }
  }
  for (const name of TIMES) {
    const value = options[name];
    if (value === undefined) continue;
    const integer = name === "sessionTimeout";
    const ok = typeof value === "number" && value >= 0 &&
      (integer ? Number.isInteger(value) && value <= 0x7fff_ffff : !Number.isNaN(value));
    if (!ok) {
      throw badOption(
        `${name} must be ${
          integer
            ? "an integer number of milliseconds up to 2^31-1"
            : "a number of milliseconds >= 0"
        }, not ${typeName(value)}`,
      );
    }
  }
}
