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
import { Metrics, PROMETHEUS_CONTENT_TYPE } from "../util/metrics.ts";
import { DEFAULT_LIMITS, type Gateway, type GatewayLimits, type ServeOptions } from "./options.ts";
import { Catalog } from "./catalog.ts";
import { LongPolls } from "./long_poll.ts";
import { PAGE_CSS } from "./page_css.ts";
import { FAVICON_SVG, pageHtml } from "./page_html.ts";
import { PAGE_JS } from "./page_js.ts";
import { isConnected, RegistryObserver } from "./registry_metrics.ts";
import { COMMON_HEADERS, errorResponse, HttpError, jsonResponse } from "./respond.ts";
import { Router } from "./router.ts";
import {
  checkName,
  parseDuration,
  readBody,
  requireToken,
  splitPath,
  underBase,
} from "./safety.ts";
import { EventStreams, type ServerEvent } from "./sse.ts";
import { serviceView, versionOf } from "./views.ts";
import { parseInstanceBody, Registrations } from "./writes.ts";

const PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; " +
  "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

interface Ctx {
  request: Request;
  url: URL;
  params: Record<string, string>;
  rest: string[];
  signal: AbortSignal;
}

type Handle = (ctx: Ctx) => Promise<Response> | Response;

function asset(body: string, type: string): Handle {
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
 * @throws {RangeError} When the base is not a valid ZooKeeper path.
 */
export function serve(registry: Registry, options: ServeOptions = {}): Gateway {
  const base = options.base ?? "/services";
  const problem = pathProblem(base);
  if (problem !== undefined) throw new RangeError(`Invalid base "${base}": ${problem}`);
  const limits: GatewayLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const onError = options.onError ?? ((error: unknown) => console.error(error));
  const catalog = new Catalog(registry, base, onError);
  const streams = new EventStreams(limits);
  const polls = new LongPolls(limits.maxLongPolls);
  const registrations = new Registrations(registry, limits.maxRegistrations, onError);
  const closing = new AbortController();
  const paths = new Set<string>();
  const metrics = new Metrics();
  const requests = metrics.counter("http_requests_total", "Requests served, by route and status.");
  const durations = metrics.histogram(
    "http_request_duration_seconds",
    "Time to the response's headers, by route.",
  );
  const open = metrics.gauge("http_open", "Event streams and blocking queries open, by kind.");
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
  });

  const health = () => {
    const state = registry.state;
    const connected = isConnected(state);
    return { connected, state: state.type, stale: !connected || catalog.view().stale };
  };

  /** Keeps a path current through the registry, within the bound on paths. */
  const lookup = (path: string): Promise<NodeSnapshot> => {
    if (!paths.has(path)) {
      if (paths.size >= limits.maxPaths) {
        throw new HttpError(503, `The gateway follows its limit of ${limits.maxPaths} paths`);
      }
      paths.add(path);
    }
    return registry.get(path);
  };

  /** A 404 for a service that is not there, without following its path. */
  const service = async (name: string): Promise<string> => {
    const path = underBase(base, [checkName(name, "service")]);
    await catalog.start();
    if (catalog.has(name)) return path;
    const zk = registry.client;
    if (zk?.connected && await zk.exists(path) !== null) return path;
    throw new HttpError(404, `No service "${name}"`);
  };

  const blocking = async <T>(
    ctx: Ctx,
    read: () => Promise<T>,
    version: (value: T) => string,
    listen: (onChange: () => void) => () => void,
  ): Promise<T> => {
    const index = ctx.url.searchParams.get("index");
    if (index === null) return read();
    if (index.length > 200) throw new HttpError(400, "The index is too long");
    const waitText = ctx.url.searchParams.get("wait");
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

  const withEtag = (ctx: Ctx, body: unknown, version: string): Response => {
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

  const router = new Router<Handle>()
    .add("GET", "/", async (ctx) => {
      // The first view is in the HTML; the script's event stream takes over.
      await catalog.start();
      return asset(pageHtml(catalog.view(), Date.now()), "text/html; charset=utf-8")(ctx);
    })
    .add("GET", "/favicon.svg", asset(FAVICON_SVG, "image/svg+xml"))
    .add("GET", "/app.js", asset(PAGE_JS, "text/javascript; charset=utf-8"))
    .add("GET", "/app.css", asset(PAGE_CSS, "text/css; charset=utf-8"))
    .add("GET", "/healthz", async () => {
      await catalog.start();
      const h = health();
      return jsonResponse(h.connected ? 200 : 503, h);
    })
    .add("GET", "/metrics", () => {
      open.set(streams.count, { kind: "event_stream" });
      observer.export(metrics);
      const text = [metrics, ...options.metrics ?? []].map((m) => m.render()).join("");
      return new Response(text, {
        headers: { ...COMMON_HEADERS, "content-type": PROMETHEUS_CONTENT_TYPE },
      });
    })
    .add("GET", "/v1/services", async (ctx) => {
      await catalog.start();
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
      return withEtag(ctx, snapshot, versionOf(snapshot));
    })
    .add("GET", "/v1/watch", async (ctx) => {
      await catalog.start();
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

  const token = options.token ?? "";
  /** The node a write names, once the token is checked: nothing is read before. */
  const target = (ctx: Ctx): string => {
    if (token === "") {
      throw new HttpError(405, "Writes are disabled: the gateway was started without a token", {
        allow: "GET, HEAD",
      });
    }
    requireToken(ctx.request, token);
    return underBase(base, [
      checkName(ctx.params.name, "service"),
      checkName(ctx.params.id, "instance id"),
    ]);
  };
  router.add("PUT", "/v1/services/:name/:id", async (ctx) => {
    const path = target(ctx);
    const ttlText = ctx.url.searchParams.get("ttl");
    const ttl = ttlText === null ? limits.defaultTtl : parseDuration(ttlText, "ttl", limits.maxTtl);
    if (ttl < 1000) throw new HttpError(400, "The ttl must be at least 1s");
    const body = parseInstanceBody(await readBody(ctx.request, limits.maxBodyBytes));
    const result = await registrations.put(path, ctx.params.name, ctx.params.id, body, ttl);
    const expires = new Date(result.expires).toISOString();
    return jsonResponse(result.outcome === "created" ? 201 : 200, { path, ...result, expires });
  });
  router.add("DELETE", "/v1/services/:name/:id", async (ctx) => {
    await registrations.delete(target(ctx));
    return new Response(null, { status: 204, headers: COMMON_HEADERS });
  });

  const cors = new Set(options.corsOrigins ?? []);
  const corsHeaders = (request: Request): Record<string, string> => {
    const origin = request.headers.get("origin");
    if (origin === null || !cors.has(origin)) return {};
    return {
      "access-control-allow-origin": origin,
      "access-control-allow-methods": "GET, HEAD, PUT, DELETE",
      "access-control-allow-headers": "authorization, content-type, last-event-id, if-none-match",
      "access-control-expose-headers": "etag, x-index",
      vary: "origin",
    };
  };

  const handle = async (request: Request): Promise<{ response: Response; route: string }> => {
    let route = "unmatched";
    try {
      const url = new URL(request.url);
      const segments = splitPath(url.pathname);
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
    const started = performance.now();
    const { response, route } = await handle(request);
    const extra = corsHeaders(request);
    for (const [k, v] of Object.entries(extra)) response.headers.set(k, v);
    requests.inc({ route, code: String(response.status) });
    durations.observe((performance.now() - started) / 1000, { route });
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
      observer.close();
      await registrations.close();
    },
  });
}

/** A route's label for metrics: bounded, with the names left out. */
function routeName(segments: readonly string[], rest: number): string {
  if (segments[0] !== "v1") return "/" + segments.join("/");
  const kind = segments[1];
  const depth = segments.length - rest - 2;
  return `/v1/${kind}` + ["", "/{name}", "/{name}/{id}"][Math.min(depth, 2)] +
    (rest > 0 ? "/{path}" : "");
}
