/**
 * The gateway's options, the bounds it holds, and what {@linkcode serve}
 * returns.
 *
 * @module
 */

import type { Clock } from "../util/clock.ts";
import type { Metrics } from "../util/metrics.ts";
import type { RegistryObserver } from "./registry_metrics.ts";

/** Bounds on what clients can make the gateway hold. */
export interface GatewayLimits {
  /** Event streams open at once. @default {2000} */
  maxSubscribers: number;
  /** Blocking queries waiting at once. @default {1000} */
  maxLongPolls: number;
  /** The longest `wait` of a blocking query, in ms. @default {300000} */
  maxWait: number;
  /** The `wait` of a blocking query that gives none, in ms. @default {30000} */
  defaultWait: number;
  /** The largest request body, in bytes. @default {65536} */
  maxBodyBytes: number;
  /** Registrations the gateway holds at once. @default {1000} */
  maxRegistrations: number;
  /** The TTL of a registration that gives none, in ms. @default {30000} */
  defaultTtl: number;
  /** The longest TTL, in ms. @default {3600000} */
  maxTtl: number;
  /**
   * Distinct paths the gateway keeps current for lookups; past it the least
   * recently read is let go. @default {10000}
   */
  maxPaths: number;
  /** Milliseconds without a lookup after which a path is let go. @default {300000} */
  pathIdle: number;
  /**
   * Milliseconds a read of ZooKeeper may take before the request answers
   * 503 (a path not yet followed while ZooKeeper is away). @default {5000}
   */
  readTimeout: number;
  /** Milliseconds between keep-alive comments on event streams. @default {15000} */
  keepAlive: number;
  /**
   * Bytes queued for an event stream that does not read, past which it is cut
   * and its queue dropped. @default {1048576}
   */
  maxQueuedBytes: number;
  /**
   * Bytes queued for all event streams together; a stream with bytes unread
   * whose event would pass it is cut and its queue dropped. @default {67108864}
   */
  maxTotalQueuedBytes: number;
}

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /** The services' parent node: nothing outside it is readable. @default {"/services"} */
  base?: string | undefined;
  /** Enables writes (`PUT`, `DELETE`) for requests bearing this token. Off by default. */
  token?: string | undefined;
  /**
   * Host names (with or without a port) requests may be addressed to; any
   * other `Host` gets 421, so a page at a name rebound to this address
   * cannot read it. `"*"` accepts any.
   * @default {["localhost", "127.0.0.1", "[::1]"]}
   */
  hosts?: string[] | undefined;
  /** Origins allowed to call from a browser (CORS). None by default. */
  corsOrigins?: string[] | undefined;
  /** Bounds; each unset one takes its default. */
  limits?: Partial<GatewayLimits> | undefined;
  /** More series for `/metrics`, such as a client recorder's. */
  metrics?: Metrics[] | undefined;
  /** Receives unexpected errors (a 500 says only "Internal error"). @default {console.error} */
  onError?: ((error: unknown) => void) | undefined;
  /**
   * Times registration TTLs, blocking queries, keep-alives, idle paths, the
   * read timeout and request durations, and gives the `expires` time of a registration.
   *
   * @default {the registry's clock}
   */
  clock?: Clock | undefined;
}

/** A handler for `Deno.serve`, `Bun.serve`, a Worker's `fetch`, or the `node:http` adapter. */
export interface Gateway {
  /**
   * Serves one request. Never throws: every refusal is a JSON error.
   *
   * @param request The request.
   * @returns The response.
   */
  (request: Request): Promise<Response>;
  /** The gateway's own series (requests, streams, registry), as `/metrics` renders them. */
  readonly metrics: Metrics;
  /** The registry's numbers, counted since `serve`. */
  readonly observer: RegistryObserver;
  /** Ends event streams and blocking queries, and removes the registrations made over HTTP. */
  close(): Promise<void>;
}

/** The defaults of {@linkcode GatewayLimits}. */
export const DEFAULT_LIMITS: Readonly<GatewayLimits> = {
  maxSubscribers: 2000,
  maxLongPolls: 1000,
  maxWait: 300_000,
  defaultWait: 30_000,
  maxBodyBytes: 65_536,
  maxRegistrations: 1000,
  defaultTtl: 30_000,
  maxTtl: 3_600_000,
  maxPaths: 10_000,
  pathIdle: 300_000,
  readTimeout: 5_000,
  keepAlive: 15_000,
  maxQueuedBytes: 1_048_576,
  maxTotalQueuedBytes: 67_108_864,
};
