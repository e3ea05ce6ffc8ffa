/**
 * The gateway's reads: the catalog of services, one service's instances,
 * any node under the base, and Prometheus' HTTP service discovery; each a
 * blocking query when the request gives an `index`.
 *
 * @module
 */

import type { NodeSnapshot } from "../registry/snapshot.ts";
import type { GatewayCore } from "./gateway_core.ts";
import { prometheusTargets } from "./prometheus.ts";
import { HttpError, jsonResponse } from "./respond.ts";
import type { RouteHandler, Router } from "./router.ts";
import { checkName, reservedUnder, underBase } from "./safety.ts";
import { serviceView, versionOf } from "./views.ts";

/**
 * Adds the read routes to a router.
 *
 * @param router The gateway's router.
 * @param core What the routes share.
 */
export function addReadRoutes(router: Router<RouteHandler>, core: GatewayCore): void {
  const { catalog, registry, base } = core;
  router
    .add("GET", "/v1/prometheus/targets", async () => {
      await core.started();
      return jsonResponse(200, prometheusTargets(catalog));
    })
    .add("GET", "/v1/services", async (ctx) => {
      await core.started();
      const view = await core.blocking(
        ctx,
        () => Promise.resolve(catalog.view()),
        (v) => v.version,
        (f) => catalog.listen(f),
      );
      const services = view.services.map((s) => ({ name: s.name, instances: s.instances.length }));
      const body = { version: view.version, stale: core.health().stale, services };
      return core.withEtag(ctx, body, view.version);
    })
    .add("GET", "/v1/services/:name", async (ctx) => {
      const name = ctx.params.name;
      const path = await core.service(name);
      const snapshot = await core.blocking(
        ctx,
        () => core.lookup(path),
        versionOf,
        (f) => registry.onChange(path, f),
      );
      const view = serviceView(name, snapshot);
      return core.withEtag(ctx, view, view.version);
    })
    .add("GET", "/v1/nodes/*", async (ctx) => {
      const names = ctx.rest.map((n) => checkName(n, "node name"));
      if (names.length > 0) await core.service(names[0]);
      const snapshot = await core.lookup(underBase(base, names));
      if (snapshot.stat === null && !snapshot.stale) {
        throw new HttpError(404, `No node "${snapshot.path}"`);
      }
      const shown = names.length === 0 && reservedUnder(base, "zookeeper")
        ? withoutZooKeeper(snapshot)
        : snapshot;
      return core.withEtag(ctx, shown, versionOf(snapshot));
    });
}

/** The listing of `/` without ZooKeeper's own node, which is never served. */
function withoutZooKeeper(snapshot: NodeSnapshot): NodeSnapshot {
  if (!("zookeeper" in snapshot.children)) return snapshot;
  const children = { ...snapshot.children };
  delete children.zookeeper;
  return { ...snapshot, children };
}
