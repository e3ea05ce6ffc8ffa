/**
 * The gateway's event streams: the catalog, and one service's instances,
 * each with the gateway's health; a client that reconnects with the last
 * version it saw is not sent it again.
 *
 * @module
 */

import type { NodeSnapshot } from "../registry/snapshot.ts";
import type { GatewayCore } from "./gateway_core.ts";
import type { RouteHandler, Router } from "./router.ts";
import type { ServerEvent } from "./sse.ts";
import { serviceView, versionOf } from "./views.ts";

/**
 * Adds the event-stream routes to a router.
 *
 * @param router The gateway's router.
 * @param core What the routes share.
 */
export function addStreamRoutes(router: Router<RouteHandler>, core: GatewayCore): void {
  const { catalog, registry, streams } = core;
  router
    .add("GET", "/v1/watch", async (ctx) => {
      await core.started();
      const event = (): ServerEvent => {
        const view = catalog.view();
        return { event: "catalog", id: view.version, data: view };
      };
      return streams.open(
        {
          initial: (last) =>
            last === catalog.view().version ? [core.healthEvent()] : [event(), core.healthEvent()],
          subscribe: (send) => core.withHealth(send, catalog.listen(() => send(event()))),
        },
        ctx.request.headers.get("last-event-id"),
        ctx.signal,
      );
    })
    .add("GET", "/v1/watch/:name", async (ctx) => {
      const name = ctx.params.name;
      const path = await core.service(name);
      const first = await core.lookup(path);
      const event = (s: NodeSnapshot): ServerEvent => {
        const view = serviceView(name, s);
        return { event: "instances", id: view.version, data: view };
      };
      return streams.open(
        {
          initial: (last) =>
            last === versionOf(first) ? [core.healthEvent()] : [event(first), core.healthEvent()],
          subscribe: (send) =>
            core.withHealth(send, registry.onChange(path, (s) => send(event(s)))),
        },
        ctx.request.headers.get("last-event-id"),
        ctx.signal,
      );
    });
}
