/**
 * The gateway's writes: `PUT` and `DELETE /v1/services/{name}/{id}`, with
 * the token checked before anything of the request is read.
 *
 * @module
 */

import type { GatewayLimits } from "./options.ts";
import { COMMON_HEADERS, HttpError, jsonResponse } from "./respond.ts";
import type { RequestContext, RouteHandler, Router } from "./router.ts";
import { checkName, parseDuration, readBody, requireToken, underBase } from "./safety.ts";
import { type GatewayRegistrations, parseInstanceBody } from "./writes.ts";

/** What the write routes need. */
export interface WriteRoutesOptions {
  /** The services' parent node. */
  base: string;
  /** The bearer token; writes are refused with 405 when empty. */
  token: string;
  /** The bounds on bodies and TTLs. */
  limits: GatewayLimits;
  /** The registrations the gateway holds. */
  registrations: GatewayRegistrations;
}

/**
 * Adds the write routes to a router.
 *
 * @param router The gateway's router.
 * @param options Base, token, limits and registrations.
 */
export function addWriteRoutes(router: Router<RouteHandler>, options: WriteRoutesOptions): void {
  const { base, token, limits, registrations } = options;
  /** The node a write names, once the token is checked: nothing is read before. */
  const target = (ctx: RequestContext): string => {
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
    const ttlText = ctx.query.get("ttl");
    const ttl = ttlText === undefined
      ? limits.defaultTtl
      : parseDuration(ttlText, "ttl", limits.maxTtl);
    if (ttl < 1000) throw new HttpError(400, "The ttl must be at least 1s");
    const body = parseInstanceBody(await readBody(ctx.request, limits.maxBodyBytes));
    const result = await registrations.put(path, ctx.params.name, ctx.params.id, body, ttl);
    const expires = new Date(result.expires).toISOString();
    return jsonResponse(result.outcome === "created" ? 201 : 200, { path, ...result, expires });
  });
  router.add("DELETE", "/v1/services/:name/:id", async (ctx) => {
    // 202: accepted, the node goes as soon as ZooKeeper is back.
    const gone = await registrations.delete(target(ctx));
    return new Response(null, { status: gone ? 204 : 202, headers: COMMON_HEADERS });
  });
}
