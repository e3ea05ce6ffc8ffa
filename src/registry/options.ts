/**
 * The registry's options.
 *
 * @module
 */

import type { TlsOptions, Transport } from "../transport/transport.ts";
import type { ACL } from "../protocol/records_data.ts";
import type { RateLimit } from "./rate_limiter.ts";
import type { ZooKeeperOptions } from "../client/options.ts";
import { isSignal } from "../client/arguments.ts";
import type { ClientMetricsRecorder } from "../util/client_metrics.ts";
import type { Clock } from "../util/clock.ts";

/** Options of {@linkcode Registry.drain}. */
export interface DrainOptions {
  /**
   * Milliseconds to wait, still answering lookups, between removing the
   * registrations and closing: time for clients to move away.
   *
   * @default {5000}
   */
  grace?: number | undefined;
}

/** Options of {@linkcode Registry.close}. */
export interface CloseOptions {
  /** Drain first (`true` for the default grace). */
  drain?: boolean | DrainOptions | undefined;
}

/** Options of {@linkcode Registry.connect}. */
export interface RegistryOptions {
  /**
   * The ensemble's connect string.
   *
   * @default {the ZK_SERVERS environment variable, else "127.0.0.1:2181"}
   */
  servers?: string | undefined;
  /**
   * Session timeout in milliseconds.
   *
   * @default {10000}
   */
  sessionTimeout?: number | undefined;
  /**
   * How long `connect` waits for ZooKeeper before failing (not with `lazy`).
   *
   * @default {15000}
   */
  connectTimeout?: number | undefined;
  /**
   * Start without ZooKeeper and connect in the background: lookups are
   * answered from the cache until it is reached.
   */
  lazy?: boolean | undefined;
  /**
   * A consumer that never writes: `setNode`, `setData` and `unset` reject,
   * and read-only ZooKeeper servers are accepted.
   */
  readOnly?: boolean | undefined;
  /** Digest user: sent as credentials, and the only one allowed to change what it registers. */
  username?: string | undefined;
  /** Digest password of `username`. */
  password?: string | undefined;
  /**
   * SASL DIGEST-MD5 login of every session (see `ZooKeeperOptions.sasl`);
   * give `acl` (such as `[saslACL(user)]`) to keep others from changing what
   * the registry creates.
   */
  sasl?: ZooKeeperOptions["sasl"] | undefined;
  /** ACL of the nodes the registry creates (overrides the one `username` implies). */
  acl?: readonly ACL[] | undefined;
  /** Keep the last good snapshot of every path in this JSON file. */
  cacheFile?: string | undefined;
  /**
   * Space calls to ZooKeeper: a burst of `calls` passes at once, then calls
   * wait for tokens that come back at `calls` per `period` ms. Every request
   * of the registry's own work waits (lookups' reads, registrations, repair);
   * calls made on `client` directly do not.
   */
  rateLimit?: RateLimit | undefined;
  /** Closes the registry when aborted (at once when already aborted). */
  signal?: AbortSignal | undefined;
  /**
   * Receives errors of callbacks and of background work, with their cause:
   * failed attempts of the background connection loop, registration
   * conflicts, failed repairs, a followed path's failed reads, watches that
   * could not be removed, and a registry lock lost without `onLost`.
   */
  onError?: ((error: unknown) => void) | undefined;
  /**
   * Largest reply accepted from ZooKeeper, in bytes (the client's
   * `maxFrameSize`): raise it to follow a service whose listing of children
   * is larger than the default (about 1 MB: some 5,000 names of 200
   * characters), and raise the servers' `jute.maxbuffer` with it. A reply
   * over it fails its lookup with `MARSHALLINGERROR` naming the limit; a
   * followed path reads it again with backoff (1 s, doubling up to 1 min) and
   * reports each failure to `onError`, its snapshots `stale` meanwhile.
   *
   * @default {1049599}
   */
  maxReceiveSize?: number | undefined;
  /**
   * How long a path looked up without a callback (`get(path)`) stays
   * followed after its last lookup, in milliseconds; then its watches are
   * removed and the next lookup reads it again. Paths with callbacks or
   * iterators stay followed while they have them.
   *
   * @default {600000}
   */
  followFor?: number | undefined;
  /** TLS settings for the connections. */
  tls?: TlsOptions | undefined;
  /** The socket implementation. */
  transport?: Transport | undefined;
  /**
   * `false` follows paths with one-shot watches only, even on servers that
   * have persistent ones (3.6+); by default persistent recursive watches are
   * used where the server has them.
   *
   * @default {true}
   */
  persistentWatches?: boolean | undefined;
  /**
   * The default of every lookup's `childData`: `false` keeps children's
   * names only.
   *
   * @default {true}
   */
  childData?: boolean | undefined;
  /**
   * Told of the client's requests, watches, events and state changes, such
   * as a `PrometheusClientRecorder` from `@nd/service-registry/http` (whose
   * `metrics` the gateway's `serve` can show at `/metrics`).
   */
  metrics?: ClientMetricsRecorder | undefined;
  /**
   * The timers and time of the registry and its clients: connect timeouts,
   * reconnect backoff, repair, health checks, drain, rate limiting, lock
   * waits, and the `created` time it writes. A fake clock in tests.
   *
   * @default {systemClock}
   */
  clock?: Clock | undefined;
}

/** The connect string when `servers` is not given. */
export function defaultServers(): string {
  const g = globalThis as {
    process?: { env?: Record<string, string | undefined> | undefined } | undefined;
    Deno?: { env?: { get(name: string): string | undefined } | undefined } | undefined;
  };
  try {
    return g.process?.env?.ZK_SERVERS ?? g.Deno?.env?.get("ZK_SERVERS") ?? "127.0.0.1:2181";
  } catch {
    return "127.0.0.1:2181";
  }
}

const STRINGS = ["servers", "username", "password", "cacheFile"] as const;
const BOOLEANS = ["lazy", "readOnly", "persistentWatches", "childData"] as const;
const DURATIONS = ["sessionTimeout", "connectTimeout", "followFor"] as const;

/** The default of {@linkcode RegistryOptions.followFor}: 10 minutes. */
export const DEFAULT_FOLLOW_FOR = 600_000;

/**
 * Checks what plain JavaScript passed to `Registry.connect`: a connect string
 * stands for `{ servers }`, anything else must be an options object whose
 * fields have their types.
 *
 * @param input The argument as given.
 * @returns The options.
 * @throws {TypeError} For a value of the wrong type.
 * @throws {RangeError} For a timeout that is not a positive number.
 */
export function registryOptions(input: unknown): RegistryOptions {
  if (input === undefined) return {};
  if (typeof input === "string") return { servers: input };
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new TypeError(
      `Registry.connect() takes a connect string or an options object, not ${describe(input)}`,
    );
  }
  const options = input as Record<string, unknown>;
  const wrong = (field: string, type: string) =>
    new TypeError(`Registry option "${field}" must be ${type}, not ${describe(options[field])}`);
  for (const field of STRINGS) {
    if (options[field] !== undefined && typeof options[field] !== "string") {
      throw wrong(field, "a string");
    }
  }
  for (const field of BOOLEANS) {
    if (options[field] !== undefined && typeof options[field] !== "boolean") {
      throw wrong(field, "a boolean");
    }
  }
  for (const field of [...DURATIONS, "maxReceiveSize"]) {
    const value = options[field];
    if (value === undefined) continue;
    if (typeof value !== "number") throw wrong(field, "a number");
    if (!(value > 0) || !Number.isFinite(value)) {
      throw new RangeError(`Registry option "${field}" must be a positive number, not ${value}`);
    }
  }
  if (options.onError !== undefined && typeof options.onError !== "function") {
    throw wrong("onError", "a function");
  }
  if (options.signal !== undefined && !isSignal(options.signal)) {
    throw wrong("signal", "an AbortSignal");
  }
  return options as RegistryOptions;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object" || typeof value === "function") return `a ${typeof value}`;
  return `${typeof value} ${String(value)}`;
}
