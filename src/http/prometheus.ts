/**
 * `GET /v1/prometheus/targets`: every instance under the base as Prometheus'
 * HTTP service discovery reads it (`http_sd_configs`), whatever format it
 * was registered in (the registry's own JSON, Curator's, serverset, Nerve).
 * Prometheus refuses a whole response for one bad group, so every group is
 * built only from what it accepts, and an instance without a usable host and
 * port is left out on its own.
 *
 * @module
 */

import { isCuratorInstance, toInstance } from "../registry/service_instance.ts";
import { isHost, isPort, readMember, strings } from "../registry/formats.ts";
import type { JsonValue, NodeValue } from "../registry/node_data.ts";
import type { Catalog, CatalogView } from "./catalog.ts";

/** One group of Prometheus' http_sd format: nothing else is allowed in it. */
export interface TargetGroup {
  /** `host:port` of each target. */
  targets: string[];
  /** Labels every target of the group gets. */
  labels: Record<string, string>;
}

/** The prefix of the labels this discovery sets, as Prometheus names meta labels. */
const META = "__meta_registry_";

/**
 * A label name Prometheus accepts, as its own discoveries make them:
 * anything outside `[a-zA-Z0-9_]` becomes `_`.
 */
function sanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, "_");
}

/** Label values must be valid UTF-8: lone surrogates become U+FFFD. */
function wellFormed(value: string): string {
  return value.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    "\uFFFD",
  );
}

function isRecord(value: unknown): value is Record<string, JsonValue> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The format an instance was registered in. */
function formatOf(data: NodeValue): string {
  return readMember(data)?.format ?? (isCuratorInstance(data) ? "curator" : "registry");
}

/**
 * An instance's own labels: a `labels` object in its data (Nerve's, or the
 * registry's own JSON), or in a Curator instance's payload.
 */
function ownLabels(data: NodeValue): Record<string, string> {
  if (!isRecord(data)) return {};
  const payload = isCuratorInstance(data) ? data.payload : data;
  const labels = isRecord(payload) ? payload.labels : undefined;
  return isRecord(labels) ? strings(labels) : {};
}

/** One instance as a target and its labels, or `undefined` when it has no usable address. */
function target(
  service: string,
  id: string,
  data: NodeValue,
): { address: string; labels: Record<string, string> } | undefined {
  const instance = toInstance(service, id, data);
  const tls = instance.port === undefined && instance.sslPort !== undefined;
  const port = tls ? instance.sslPort : instance.port;
  if (!isHost(instance.address) || !isPort(port)) return undefined;
  const host = instance.address.includes(":") ? `[${instance.address}]` : instance.address;
  const labels: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(ownLabels(data))) {
    labels[`${META}label_${sanitize(name)}`] = wellFormed(value);
  }
  labels[`${META}service`] = wellFormed(service);
  labels[`${META}format`] = formatOf(data);
  if (tls) labels.__scheme__ = "https";
  return { address: `${host}:${port}`, labels };
}

const cache = new WeakMap<CatalogView, TargetGroup[]>();

/**
 * The catalog's instances as http_sd target groups: one per service and
 * label set (instances of a service with the same labels share a group), in
 * name order. Each carries `__meta_registry_service`,
 * `__meta_registry_format` and, for each of its own labels,
 * `__meta_registry_label_<name>`.
 *
 * @param catalog The services (started).
 * @returns The groups, the same array until the catalog changes.
 */
export function prometheusTargets(catalog: Catalog): TargetGroup[] {
  const view = catalog.view();
  const cached = cache.get(view);
  if (cached !== undefined) return cached;
  const groups: TargetGroup[] = [];
  const services = catalog.snapshots().sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  for (const [service, snapshot] of services) {
    const byLabels = new Map<string, TargetGroup>();
    for (const id of Object.keys(snapshot.children).sort()) {
      const found = target(service, id, snapshot.children[id]);
      if (found === undefined) continue;
      const key = JSON.stringify(Object.entries(found.labels).sort());
      const group = byLabels.get(key);
      if (group === undefined) {
        byLabels.set(key, { targets: [found.address], labels: found.labels });
      } else if (!group.targets.includes(found.address)) group.targets.push(found.address);
    }
    groups.push(...byLabels.values());
  }
  cache.set(view, groups);
  return groups;
}
