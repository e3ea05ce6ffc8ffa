/**
 * The registry over HTTP: {@linkcode serve} returns a web-standard handler
 * (`Deno.serve`, `Bun.serve`, a Worker's `fetch`; Node through
 * `@nd/service-registry/http/node`) with JSON endpoints, blocking queries,
 * server-sent events, a live page at `/`, Prometheus metrics at `/metrics`,
 * every instance as Prometheus targets at `/v1/prometheus/targets` and, with
 * a token, registrations held for a TTL. Also the dependency-free
 * metrics it is built on, and the recorder interface a client reports to.
 *
 * @example Serve a registry with Deno
 * ```ts ignore
 * import { Registry } from "@nd/service-registry";
 * import { serve } from "@nd/service-registry/http";
 * const registry = await Registry.connect({ lazy: true });
 * Deno.serve({ hostname: "127.0.0.1", port: 8181 }, serve(registry));
 * ```
 *
 * @module
 */

export { serve } from "./serve.ts";
export { DEFAULT_LIMITS, type Gateway, type GatewayLimits, type ServeOptions } from "./options.ts";
export type { CatalogView } from "./catalog.ts";
export type { InstanceView, ServiceView } from "./views.ts";
export type { InstanceBody, PutResult } from "./writes.ts";
export { isConnected } from "../session/state.ts";
export {
  type RegistryMetricsSnapshot,
  RegistryObserver,
  type RegistryObserverSources,
} from "./registry_metrics.ts";
export {
  Counter,
  DEFAULT_BUCKETS,
  Gauge,
  Histogram,
  type Labels,
  Metrics,
  PROMETHEUS_CONTENT_TYPE,
} from "../util/metrics.ts";
export {
  type ClientMetricsRecorder,
  PrometheusClientRecorder,
  type WatchKind,
} from "../util/client_metrics.ts";
