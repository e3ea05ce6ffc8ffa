/**
 * The gateway's state for machines: `/healthz` for load balancers and
 * orchestrators, `/metrics` in Prometheus' text format.
 *
 * @module
 */

import type { Metrics } from "../util/metrics.ts";
import { PROMETHEUS_CONTENT_TYPE } from "../util/metrics.ts";
import type { GatewayCore } from "./gateway_core.ts";
import { COMMON_HEADERS, jsonResponse } from "./respond.ts";
import type { RouteHandler, Router } from "./router.ts";

/**
 * Adds `/healthz` and `/metrics` to a router.
 *
 * @param router The gateway's router.
 * @param core What the routes share.
 * @param more Other metrics served after the gateway's own.
 */
export function addStatusRoutes(
  router: Router<RouteHandler>,
  core: GatewayCore,
  more: readonly Metrics[],
): void {
  router
    .add("GET", "/healthz", async () => {
      await core.started();
      const health = core.health();
      return jsonResponse(health.connected ? 200 : 503, health);
    })
    .add("GET", "/metrics", () => {
      const { metrics, open, queued, followed, observer } = core.metrics;
      open.set(core.streams.count, { kind: "event_stream" });
      queued.set(core.streams.queuedBytes);
      followed.set(core.paths.size);
      observer.export(metrics);
      const text = [metrics, ...more].map((m) => m.render()).join("");
      return new Response(text, {
        headers: { ...COMMON_HEADERS, "content-type": PROMETHEUS_CONTENT_TYPE },
      });
    });
}
