/**
 * A Cloudflare Worker that answers `GET /services/<name>` with the service's
 * instances, read through the registry; and a Durable Object, `ServiceCache`,
 * that keeps one session with a watch open and serves the cached list at
 * `GET /cached/<name>`.
 *
 * The connect string comes from the `ZK_SERVERS` binding. See README.md here
 * for running it in workerd or with wrangler.
 *
 * @module
 */

import { type NodeSnapshot, Registry } from "../../mod.ts";

interface Env {
  ZK_SERVERS: string;
  CACHE?: {
    idFromName(name: string): unknown;
    get(id: unknown): { fetch(request: Request): Promise<Response> };
  };
}

function listing(snapshot: NodeSnapshot): unknown {
  return {
    path: snapshot.path,
    stale: snapshot.stale,
    instances: Object.entries(snapshot.children).map(([name, data]) => ({ name, data })),
  };
}

function serviceOf(url: URL, prefix: string): string | undefined {
  const name = url.pathname.slice(prefix.length);
  return /^[A-Za-z0-9._-]+$/.test(name) ? name : undefined;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/cached/") && env.CACHE) {
      return env.CACHE.get(env.CACHE.idFromName("services")).fetch(request);
    }
    const service = serviceOf(url, "/services/");
    if (service === undefined) return new Response("GET /services/<name>\n", { status: 404 });
    // One session per request: connect, read, close.
    await using registry = await Registry.connect({
      servers: env.ZK_SERVERS,
      connectTimeout: 5000,
    });
    return Response.json(listing(await registry.get(`/services/${service}`)));
  },
};

/** Holds one registry session with watches open; lookups are answered from its cache. */
export class ServiceCache {
  readonly #env: Env;
  #registry: Promise<Registry> | undefined;

  /** Made by the runtime, with the Worker's bindings. */
  constructor(_state: unknown, env: Env) {
    this.#env = env;
  }

  /** Answers `GET /cached/<name>` from the registry's cache. */
  async fetch(request: Request): Promise<Response> {
    const service = serviceOf(new URL(request.url), "/cached/");
    if (service === undefined) return new Response("GET /cached/<name>\n", { status: 404 });
    this.#registry ??= Registry.connect({ servers: this.#env.ZK_SERVERS, connectTimeout: 5000 });
    const registry = await this.#registry;
    return Response.json(listing(await registry.get(`/services/${service}`)));
  }
}
