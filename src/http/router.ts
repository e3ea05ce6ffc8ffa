/**
 * Matching a request's method and decoded path segments against the
 * gateway's routes: `:name` takes one segment, `*rest` the remaining ones.
 *
 * @module
 */

import { HttpError } from "./respond.ts";

/** What a route's handler receives. */
export interface RequestContext {
  /** The request. */
  request: Request;
  /** Its URL. */
  url: URL;
  /** The query's parameters, decoded. */
  query: Map<string, string>;
  /** `:name` parameters. */
  params: Record<string, string>;
  /** The `*rest` segments. */
  rest: string[];
  /** Aborts when the client goes away or the gateway closes. */
  signal: AbortSignal;
}

/** A route's handler. */
export type RouteHandler = (ctx: RequestContext) => Promise<Response> | Response;

/** What a matched route receives. */
export interface RouteMatch<C> {
  /** The route's handler. */
  handler: C;
  /** `:name` parameters. */
  params: Record<string, string>;
  /** The `*rest` segments (empty when the route has none). */
  rest: string[];
}

interface Route<C> {
  method: string;
  pattern: string[];
  handler: C;
}

/** A table of routes. */
export class Router<C> {
  readonly #routes: Route<C>[] = [];

  /**
   * Adds a route.
   *
   * @param method `GET`, `PUT`, ...
   * @param pattern Such as `/v1/services/:name`.
   * @param handler What serves it.
   * @returns The router, to chain.
   */
  add(method: string, pattern: string, handler: C): this {
    this.#routes.push({ method, pattern: pattern.split("/").slice(1), handler });
    return this;
  }

  /**
   * Finds the route of a request.
   *
   * @param method The request's method.
   * @param segments Its decoded path segments.
   * @returns The match.
   * @throws {HttpError} 404 when no route has the path, 405 when none has the method.
   */
  match(method: string, segments: readonly string[]): RouteMatch<C> {
    const allowed: string[] = [];
    for (const route of this.#routes) {
      const found = matchPattern(route.pattern, segments);
      if (found === undefined) continue;
      if (route.method === method || (method === "HEAD" && route.method === "GET")) {
        return { handler: route.handler, ...found };
      }
      allowed.push(route.method);
    }
    if (allowed.length === 0) throw new HttpError(404, "Not found");
    throw new HttpError(405, `Method ${method} is not allowed here`, {
      allow: [...new Set(allowed)].join(", "),
    });
  }
}

function matchPattern(
  pattern: readonly string[],
  segments: readonly string[],
): { params: Record<string, string>; rest: string[] } | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i];
    if (part.startsWith("*")) return { params, rest: segments.slice(i) };
    if (i >= segments.length) return undefined;
    if (part.startsWith(":")) {
      if (segments[i] === "") return undefined;
      params[part.slice(1)] = segments[i];
    } else if (part !== segments[i]) return undefined;
  }
  return segments.length === pattern.length ? { params, rest: [] } : undefined;
}

/**
 * A route's label for metrics: bounded, with the names left out.
 *
 * @param segments The request's path segments.
 * @param rest How many of them the route's `*rest` took.
 * @returns The label, such as `/v1/services/{name}`.
 */
export function routeName(segments: readonly string[], rest: number): string {
  if (segments[0] !== "v1") return "/" + segments.join("/");
  const kind = segments[1];
  const depth = segments.length - rest - 2;
  return `/v1/${kind}` + ["", "/{name}", "/{name}/{id}"][Math.min(depth, 2)] +
    (rest > 0 ? "/{path}" : "");
}
