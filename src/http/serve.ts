/**
 * The gateway: a web-standard handler that serves a registry over HTTP
 * (JSON, blocking queries, server-sent events), a live page and Prometheus
 * metrics, and takes registrations with a token. The routes are in their
 * modules (page, status, reads, streams, writes) over what they share
 * (`GatewayCore`); this one checks each request before any route sees it,
 * and turns what a route throws into a response.
 *
 * @module
 */

import { ZooKeeperError } from "../protocol/errors.ts";
import { pathProblem } from "../protocol/path.ts";
import type { Registry } from "../registry/registry.ts";
import { clockOption } from "../util/clock.ts";
import { DEFAULT_LIMITS, type Gateway, type GatewayLimits, type ServeOptions } from "./options.ts";
import { corsHeadersFor } from "./cors.ts";
import { GatewayCore } from "./gateway_core.ts";
import { addPageRoutes } from "./page_routes.ts";
import { parseQuery } from "./query.ts";
import { addReadRoutes } from "./read_routes.ts";
import { errorResponse, HttpError } from "./respond.ts";
import { type RouteHandler, routeName, Router } from "./router.ts";
import {
  bodyLeftUnread,
  hostAllowed,
  rawPathOf,
  splitPath,
  tokenProblem,
  validHost,
} from "./safety.ts";
import { addStatusRoutes } from "./status_routes.ts";
import { addStreamRoutes } from "./stream_routes.ts";
import { addWriteRoutes } from "./write_routes.ts";

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
  const core = new GatewayCore(registry, base, limits, clock, onError);
  const closing = new AbortController();

  const router = new Router<RouteHandler>();
  addPageRoutes(router, core);
  addStatusRoutes(router, core, options.metrics ?? []);
  addReadRoutes(router, core);
  addStreamRoutes(router, core);
  addWriteRoutes(router, { base, token, limits, registrations: core.registrations });

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

  const { requests, durations } = core.metrics;
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
    metrics: core.metrics.metrics,
    observer: core.metrics.observer,
    close: async () => {
      closing.abort();
      await core.close();
    },
  });
}
