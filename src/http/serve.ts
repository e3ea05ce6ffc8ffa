/**
 * The gateway: a web-standard handler that serves a registry over HTTP
 * (JSON, blocking queries, server-sent events), a live page and Prometheus
 * metrics, and takes registrations with a token. It composes the other
 * modules of this layer and holds the bounds of {@linkcode GatewayLimits}.
 *
 * @module
 */

import { ZooKeeperError } from "../protocol/errors.ts";
import { pathProblem } from "../protocol/path.ts";
import type { NodeSnapshot } from "../registry/snapshot.ts";
import type { Registry } from "../registry/registry.ts";
import { clockOption } from "../util/clock.ts";
import { Metrics, PROMETHEUS_CONTENT_TYPE } from "../util/metrics.ts";
import { DEFAULT_LIMITS, type Gateway, type GatewayLimits, type ServeOptions } from "./options.ts";
import { Catalog } from "./catalog.ts";
import { FollowedPaths, within } from "./followed_paths.ts";
import { LongPolls } from "./long_poll.ts";
import { PAGE_CSS } from "./page_css.ts";
import { FAVICON_SVG, pageHtml } from "./page_html.ts";
import { PAGE_JS } from "./page_js.ts";
import { prometheusTargets } from "./prometheus.ts";
import { isConnected } from "../session/state.ts";
import { RegistryObserver } from "./registry_metrics.ts";
import { COMMON_HEADERS, errorResponse, HttpError, jsonResponse } from "./respond.ts";
import { parseQuery } from "./query.ts";
import { type RequestContext, type RouteHandler, routeName, Router } from "./router.ts";
import { corsHeadersFor } from "./cors.ts";
import { addWriteRoutes } from "./write_routes.ts";
import {
  bodyLeftUnread,
  checkName,
  hostAllowed,
  parseDuration,
  rawPathOf,
  reservedUnder,
  splitPath,
  tokenProblem,
  underBase,
  validHost,
} from "./safety.ts";
import { EventStreams, type ServerEvent } from "./sse.ts";
import { serviceView, versionOf } from "./views.ts";
import { GatewayRegistrations } from "./writes.ts";

const PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; " +
  "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function asset(body: string, type: string): RouteHandler {
  const headers = {
    ...COMMON_HEADERS,
    "content-type": type,
    "content-security-policy": PAGE_POLICY,
  };
  return () => new Response(body, { headers });
}

/**
 * Serves a registry over HTTP.
 *
 * @example With Deno.serve, writes enabled
 * ```ts ignore
 * import { Registry } from "@nd/service-registry";
 * import { serve } from "@nd/service-registry/http";
 * const registry = await Registry.connect({ servers: "127.0.0.1:2181", lazy: true });
 * const gateway = serve(registry, { base: "/services", token: "s3cret" });
 * Deno.serve({ hostname: "127.0.0.1", port: 8181 }, gateway);
 * ```
 *
 * @param registry The registry: its cache answers the reads.
 * @param options Base path, token, CORS origins, limits.
 * @returns The handler.
 * @throws {RangeError} When the base is not a valid ZooKeeper path, or the
 *   token not one a request could send.
 * @throws {TypeError} When `clock` is not a clock.
 */
export function serve(registry: Registry, options: ServeOptions = {}): Gateway {
  const base = options.base ?? "/services";
  const problem = pathProblem(base);
  if (problem !== undefined) throw new RangeError(`Invalid base "${base}": ${problem}`);
  const token = options.token ?? "";
  const badToken = token === "" ? undefined : tokenProblem(token);
  if (badToken !== undefined) throw new RangeError(`Invalid token: ${badToken}`);
  const limits: GatewayLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const hosts = new Set(
    (options.hosts ?? ["localhost", "127.0.0.1", "[::1]"]).map((h) => h.toLowerCase()),
  );
  const onError = options.onError ?? ((error: unknown) => console.error(error));
  const clock = clockOption(options.clock ?? registry.clock);
  const catalog = new Catalog(registry, base, onError);
  const streams = new EventStreams(limits, clock);
  const polls = new LongPolls(limits.maxLongPolls, clock);
  const registrations = new GatewayRegistrations(registry, limits.maxRegistrations, onError, clock);
  const closing = new AbortController();
  const paths = new FollowedPaths(registry, {
    max: limits.maxPaths,
    idle: limits.pathIdle,
    readTimeout: limits.readTimeout,
    clock,
  });
  // The catalog's first read waits for ZooKeeper: bounded by the read
  // timeout, and no timer at all once it is done.
  let catalogReady = false;
  const started = async (): Promise<void> => {
    if (catalogReady) return;
    await within(catalog.start(), limits.readTimeout, clock);
    catalogReady = true;
  };
  const metrics = new Metrics();
  const requests = metrics.counter("http_requests_total", "Requests served, by route and status.");
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
  for (const [name, value] of Object.entries(limits)) limit.set(value, { name });
  const observer = new RegistryObserver(registry, {
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

  const health = () => {
    const state = registry.state;
    const connected = isConnected(state);
    return { connected, state: state.type, stale: !connected || catalog.view().stale };
  };

  const lookup = (path: string): Promise<NodeSnapshot> => paths.get(path);

  /** A 404 for a service that is not there, without following its path. */
  const service = async (name: string): Promise<string> => {
    const path = underBase(base, [checkName(name, "service")]);
    await started();
    if (catalog.has(name)) return path;
    const zk = registry.client;
    if (zk?.connected && await within(zk.exists(path), limits.readTimeout, clock) !== null) {
      return path;
    }
    throw new HttpError(404, `No service "${name}"`);
  };

  const blocking = async <T>(
    ctx: RequestContext,
    read: () => Promise<T>,
    version: (value: T) => string,
    listen: (onChange: () => void) => () => void,
  ): Promise<T> => {
    const index = ctx.query.get("index") ?? null;
    if (index === null) return read();
    if (index.length > 200) throw new HttpError(400, "The index is too long");
    const waitText = ctx.query.get("wait") ?? null;
    const ms = waitText === null
      ? limits.defaultWait
      : parseDuration(waitText, "wait", limits.maxWait);
    open.add(1, { kind: "long_poll" });
    try {
      return await polls.wait(index, ms, read, version, listen, ctx.signal);
    } finally {
      open.add(-1, { kind: "long_poll" });
    }
  };

  const withEtag = (ctx: RequestContext, body: unknown, version: string): Response => {
    const etag = `"${version}"`;
    const status = ctx.request.headers.get("if-none-match") === etag ? 304 : 200;
    return jsonResponse(status, body, { etag, "x-index": version });
  };

  const healthEvent = (): ServerEvent => ({ event: "health", data: health() });
  const withHealth = (send: (event: ServerEvent) => void, off: () => void) => {
    const offState = registry.onStateChange(() => send(healthEvent()));
    return () => {
      off();
      offState();
    };
  };

  const router = new Router<RouteHandler>()
    .add("GET", "/", async (ctx) => {
      // The first view is in the HTML; the script's event stream takes over.
      await started();
      return asset(pageHtml(catalog.view(), clock.wallNow()), "text/html; charset=utf-8")(ctx);
    })
    .add("GET", "/favicon.svg", asset(FAVICON_SVG, "image/svg+xml"))
    .add("GET", "/app.js", asset(PAGE_JS, "text/javascript; charset=utf-8"))
    .add("GET", "/app.css", asset(PAGE_CSS, "text/css; charset=utf-8"))
    .add("GET", "/healthz", async () => {
      await started();
      const h = health();
      return jsonResponse(h.connected ? 200 : 503, h);
    })
    .add("GET", "/metrics", () => {
      open.set(streams.count, { kind: "event_stream" });
      queued.set(streams.queuedBytes);
      followed.set(paths.size);
      observer.export(metrics);
      const text = [metrics, ...options.metrics ?? []].map((m) => m.render()).join("");
      return new Response(text, {
        headers: { ...COMMON_HEADERS, "content-type": PROMETHEUS_CONTENT_TYPE },
      });
    })
    .add("GET", "/v1/prometheus/targets", async () => {
      await catalog.start();
      return jsonResponse(200, prometheusTargets(catalog));
    })
    .add("GET", "/v1/services", async (ctx) => {
      await started();
      const view = await blocking(
        ctx,
        () => Promise.resolve(catalog.view()),
        (v) => v.version,
        (f) => catalog.listen(f),
      );
      const services = view.services.map((s) => ({ name: s.name, instances: s.instances.length }));
      return withEtag(
        ctx,
        { version: view.version, stale: health().stale, services },
        view.version,
      );
    })
    .add("GET", "/v1/services/:name", async (ctx) => {
      const name = ctx.params.name;
      const path = await service(name);
      const snapshot = await blocking(
        ctx,
        () => lookup(path),
        versionOf,
        (f) => registry.onChange(path, f),
      );
      const view = serviceView(name, snapshot);
      return withEtag(ctx, view, view.version);
    })
    .add("GET", "/v1/nodes/*", async (ctx) => {
      const names = ctx.rest.map((n) => checkName(n, "node name"));
      if (names.length > 0) await service(names[0]);
      const snapshot = await lookup(underBase(base, names));
      if (snapshot.stat === null && !snapshot.stale) {
        throw new HttpError(404, `No node "${snapshot.path}"`);
      }
      const shown = names.length === 0 && reservedUnder(base, "zookeeper")
        ? withoutZooKeeper(snapshot)
        : snapshot;
      return withEtag(ctx, shown, versionOf(snapshot));
    })
    .add("GET", "/v1/watch", async (ctx) => {
      await started();
      const event = (): ServerEvent => {
        const view = catalog.view();
        return { event: "catalog", id: view.version, data: view };
      };
      return streams.open(
        {
          initial: (last) =>
            last === catalog.view().version ? [healthEvent()] : [event(), healthEvent()],
          subscribe: (send) => withHealth(send, catalog.listen(() => send(event()))),
        },
        ctx.request.headers.get("last-event-id"),
        ctx.signal,
      );
    })
    .add("GET", "/v1/watch/:name", async (ctx) => {
      const name = ctx.params.name;
      const path = await service(name);
      const first = await lookup(path);
      const event = (s: NodeSnapshot): ServerEvent => {
        const view = serviceView(name, s);
        return { event: "instances", id: view.version, data: view };
      };
      return streams.open(
        {
          initial: (last) =>
            last === versionOf(first) ? [healthEvent()] : [event(first), healthEvent()],
          subscribe: (send) => withHealth(send, registry.onChange(path, (s) => send(event(s)))),
        },
        ctx.request.headers.get("last-event-id"),
        ctx.signal,
      );
    });

  addWriteRoutes(router, { base, token, limits, registrations });

  const cors = new Set(options.corsOrigins ?? []);
  const corsHeaders = (request: Request) => corsHeadersFor(request, cors);

  const handle = async (request: Request): Promise<{ response: Response; route: string }> => {
    let route = "unmatched";
    try {
      const host = request.headers.get("host");
      if (host !== null && !validHost(host)) throw new HttpError(400, "Malformed Host header");
      const url = new URL(request.url);
      if (!hostAllowed(url.host, hosts)) {
        throw new HttpError(421, `This gateway does not answer for "${url.host}"`);
      }
      const segments = splitPath(rawPathOf(request.url));
      const query = parseQuery(request.url);
      if (request.method === "OPTIONS" && cors.size > 0) {
        return {
          response: new Response(null, { status: 204, headers: corsHeaders(request) }),
          route,
        };
      }
      const match = router.match(request.method, segments);
      route = routeName(segments, match.rest.length);
      let signal: AbortSignal | undefined;
      const ctx = {
        request,
        url,
        query,
        params: match.params,
        rest: match.rest,
        // Only blocking queries and streams need it: made on demand, as it costs a listener.
        get signal(): AbortSignal {
          return signal ??= AbortSignal.any([request.signal, closing.signal]);
        },
      };
      return { response: await match.handler(ctx), route };
    } catch (error) {
      if (error instanceof HttpError) return { response: errorResponse(error), route };
      if (error instanceof ZooKeeperError) {
        return { response: errorResponse(new HttpError(503, error.message)), route };
      }
      onError(error);
      return { response: errorResponse(new HttpError(500, "Internal error")), route };
    }
  };

  const gateway = async (request: Request): Promise<Response> => {
    const started = clock.now();
    const { response, route } = await handle(request);
    const extra = corsHeaders(request);
    for (const [k, v] of Object.entries(extra)) response.headers.set(k, v);
    // A body refused unread (401, 413...) would be left in the connection:
    // close it rather than read what was refused or leave the client blocked.
    if (bodyLeftUnread(request)) response.headers.set("connection", "close");
    requests.inc({ route, code: String(response.status) });
    durations.observe((clock.now() - started) / 1000, { route });
    if (request.method !== "HEAD") return response;
    await response.body?.cancel();
    return new Response(null, { status: response.status, headers: response.headers });
  };
  return Object.assign(gateway, {
    metrics,
    observer,
    close: async () => {
      closing.abort();
      streams.close();
      catalog.close();
      paths.close();
      observer.close();
      await registrations.close();
    },
  });
}

/** The listing of `/` without ZooKeeper's own node, which is never served. */
function withoutZooKeeper(snapshot: NodeSnapshot): NodeSnapshot {
  if (!("zookeeper" in snapshot.children)) return snapshot;
  const children = { ...snapshot.children };
  delete children.zookeeper;
  return { ...snapshot, children };
}
