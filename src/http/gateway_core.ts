/**
 * What every route of the gateway shares: the registry's views (the
 * catalog, the followed paths), the registrations it holds, its streams and
 * blocking queries, its metrics, and the helpers that answer with them.
 *
 * @module
 */

import type { Clock } from "../util/clock.ts";
import type { NodeSnapshot } from "../registry/snapshot.ts";
import type { Registry } from "../registry/registry.ts";
import { Metrics } from "../util/metrics.ts";
import type { Counter, Gauge, Histogram } from "../util/metrics.ts";
import { isConnected } from "../session/state.ts";
import { Catalog } from "./catalog.ts";
import { FollowedPaths, within } from "./followed_paths.ts";
import { LongPolls } from "./long_poll.ts";
import type { GatewayLimits } from "./options.ts";
import { RegistryObserver } from "./registry_metrics.ts";
import { HttpError, jsonResponse } from "./respond.ts";
import type { RequestContext } from "./router.ts";
import { checkName, parseDuration, underBase } from "./safety.ts";
import { EventStreams, type ServerEvent } from "./sse.ts";
import { GatewayRegistrations } from "./writes.ts";

/** The gateway's health, as `/healthz` and the event streams give it. */
export interface GatewayHealth {
  /** Whether the registry's session is connected. */
  connected: boolean;
  /** The registry's state. */
  state: string;
  /** Whether what is served may be out of date. */
  stale: boolean;
}

/** The gateway's own metrics, beside the registry's. */
export interface GatewayMetrics {
  /** Every metric below, for `/metrics`. */
  readonly metrics: Metrics;
  /** Requests served, by route and status. */
  readonly requests: Counter;
  /** Time to the response's headers, by route. */
  readonly durations: Histogram;
  /** Event streams and blocking queries open, by kind. */
  readonly open: Gauge;
  /** Bytes queued for event-stream subscribers. */
  readonly queued: Gauge;
  /** Paths kept current for lookups. */
  readonly followed: Gauge;
  /** The registry's metrics, read at each scrape. */
  readonly observer: RegistryObserver;
}

/** The state and helpers the gateway's routes share. */
export class GatewayCore {
  /** The registry served. */
  readonly registry: Registry;
  /** The services' parent node. */
  readonly base: string;
  /** The gateway's bounds. */
  readonly limits: GatewayLimits;
  /** The gateway's clock. */
  readonly clock: Clock;
  /** Every service and its instances, kept current. */
  readonly catalog: Catalog;
  /** The event streams open. */
  readonly streams: EventStreams;
  /** The blocking queries waiting. */
  readonly polls: LongPolls;
  /** The registrations made through the gateway. */
  readonly registrations: GatewayRegistrations;
  /** The paths kept current for lookups. */
  readonly paths: FollowedPaths;
  /** The gateway's metrics. */
  readonly metrics: GatewayMetrics;
  #catalogReady = false;

  /**
   * @param registry The registry served.
   * @param base The services' parent node.
   * @param limits The gateway's bounds.
   * @param clock The gateway's clock.
   * @param onError Receives the errors of background work.
   */
  constructor(
    registry: Registry,
    base: string,
    limits: GatewayLimits,
    clock: Clock,
    onError: (error: unknown) => void,
  ) {
    this.registry = registry;
    this.base = base;
    this.limits = limits;
    this.clock = clock;
    this.catalog = new Catalog(registry, base, onError);
    this.streams = new EventStreams(limits, clock);
    this.polls = new LongPolls(limits.maxLongPolls, clock);
    this.registrations = new GatewayRegistrations(
      registry,
      limits.maxRegistrations,
      onError,
      clock,
    );
    this.paths = new FollowedPaths(registry, {
      max: limits.maxPaths,
      idle: limits.pathIdle,
      readTimeout: limits.readTimeout,
      clock,
    });
    this.metrics = this.#makeMetrics();
  }

  /**
   * Waits for the catalog's first read, bounded by the read timeout; at once
   * (and with no timer) once it is done.
   */
  async started(): Promise<void> {
    if (this.#catalogReady) return;
    await within(this.catalog.start(), this.limits.readTimeout, this.clock);
    this.#catalogReady = true;
  }

  /** @returns The gateway's health now. */
  health(): GatewayHealth {
    const state = this.registry.state;
    const connected = isConnected(state);
    return { connected, state: state.type, stale: !connected || this.catalog.view().stale };
  }

  /** @returns The health as an event of a stream. */
  healthEvent(): ServerEvent {
    return { event: "health", data: this.health() };
  }

  /**
   * Adds the health events to a stream's subscription.
   *
   * @param send Sends an event to the stream.
   * @param off Ends the rest of the subscription.
   * @returns Ends the whole subscription.
   */
  withHealth(send: (event: ServerEvent) => void, off: () => void): () => void {
    const offState = this.registry.onStateChange(() => send(this.healthEvent()));
    return () => {
      off();
      offState();
    };
  }

  /**
   * @param path A path under the base.
   * @returns Its snapshot, the path kept current for the next lookup.
   */
  lookup(path: string): Promise<NodeSnapshot> {
    return this.paths.get(path);
  }

  /**
   * The path of a service, or a 404 for a service that is not there,
   * without following its path.
   *
   * @param name The service's name, as the request gives it.
   * @returns Its path.
   */
  async service(name: string): Promise<string> {
    const path = underBase(this.base, [checkName(name, "service")]);
    await this.started();
    if (this.catalog.has(name)) return path;
    const zk = this.registry.client;
    const { readTimeout } = this.limits;
    if (zk?.connected && await within(zk.exists(path), readTimeout, this.clock) !== null) {
      return path;
    }
    throw new HttpError(404, `No service "${name}"`);
  }

  /**
   * A read that blocks, when the request gives an `index`, until the
   * version differs from it or the wait is over.
   *
   * @param ctx The request.
   * @param read Reads the value.
   * @param version A value's version.
   * @param listen Calls its argument on each change; returns how to stop.
   * @returns The value.
   */
  async blocking<T>(
    ctx: RequestContext,
    read: () => Promise<T>,
    version: (value: T) => string,
    listen: (onChange: () => void) => () => void,
  ): Promise<T> {
    const index = ctx.query.get("index") ?? null;
    if (index === null) return read();
    if (index.length > 200) throw new HttpError(400, "The index is too long");
    const waitText = ctx.query.get("wait") ?? null;
    const { defaultWait, maxWait } = this.limits;
    const ms = waitText === null ? defaultWait : parseDuration(waitText, "wait", maxWait);
    const open = this.metrics.open;
    open.add(1, { kind: "long_poll" });
    try {
      return await this.polls.wait(index, ms, read, version, listen, ctx.signal);
    } finally {
      open.add(-1, { kind: "long_poll" });
    }
  }

  /**
   * A JSON response with its version as the ETag: 304 when the request has it.
   *
   * @param ctx The request.
   * @param body The body.
   * @param version Its version.
   * @returns The response.
   */
  withEtag(ctx: RequestContext, body: unknown, version: string): Response {
    const etag = `"${version}"`;
    const status = ctx.request.headers.get("if-none-match") === etag ? 304 : 200;
    return jsonResponse(status, body, { etag, "x-index": version });
  }

  /** Stops every stream, query and path, and the registrations' expiry. */
  async close(): Promise<void> {
    this.streams.close();
    this.catalog.close();
    this.paths.close();
    this.metrics.observer.close();
    await this.registrations.close();
  }

  #makeMetrics(): GatewayMetrics {
    const metrics = new Metrics();
    const requests = metrics.counter(
      "http_requests_total",
      "Requests served, by route and status.",
    );
    const durations = metrics.histogram(
      "http_request_duration_seconds",
      "Time to the response's headers, by route.",
    );
    const open = metrics.gauge("http_open", "Event streams and blocking queries open, by kind.");
    const queued = metrics.gauge(
      "http_event_stream_queued_bytes",
      "Bytes queued for event-stream subscribers that have not read them yet.",
    );
    const followed = metrics.gauge("http_followed_paths", "Paths kept current for lookups.");
    const limit = metrics.gauge("http_limit", "The gateway's bounds, by name.");
    for (const [name, value] of Object.entries(this.limits)) limit.set(value, { name });
    const { base, catalog, registrations, paths, streams, clock } = this;
    const observer = new RegistryObserver(this.registry, {
      cacheEntries: () => paths.size + catalog.size + 1,
      registrations: () => {
        const held = registrations.paths();
        const healthy = held.filter((p) => {
          const [service, id] = p.slice(base.length).split("/").filter(Boolean);
          return catalog.view().services.find((s) => s.name === service)?.instances
            .some((i) => i.id === id) ?? false;
        });
        return { total: held.length, healthy: healthy.length };
      },
      eventsDelivered: () => streams.delivered,
      now: () => clock.now(),
    });
    return { metrics, requests, durations, open, queued, followed, observer };
  }
}
