/**
 * What the gateway says about a snapshot: its version (the ETag, the
 * long-poll index and the event id), and the discovery model's instances.
 * Computed once per snapshot, however many callers ask.
 *
 * @module
 */

import type { NodeSnapshot } from "../registry/snapshot.ts";
import type { JsonValue, NodeValue } from "../registry/node_data.ts";
import { type ServiceInstance, toInstance } from "../registry/service_instance.ts";
import { JSON_BOUNDS, jsonText } from "./json_text.ts";

/** An instance as the gateway lists it: the discovery model and who holds it. */
export interface InstanceView extends ServiceInstance {
  /** `hostname:pid` of the process that registered it, when it says so. */
  holder?: string | undefined;
}

/** A service as `GET /v1/services/{name}` returns it. */
export interface ServiceView {
  /** The service's name. */
  name: string;
  /** Changes whenever the instances do: the ETag and the long-poll index. */
  version: string;
  /** `true` when the data comes from the cache while ZooKeeper is away. */
  stale: boolean;
  /** Its instances, by id. */
  instances: InstanceView[];
}

/** 32-bit FNV-1a of a string's UTF-16 code units, in hex. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

// Hashed whole: only what is shown is bounded in length.
const HASHED = { ...JSON_BOUNDS, maxLength: Infinity };

const versions = new WeakMap<NodeSnapshot, string>();

/**
 * A snapshot's version: the zxids of its node's creation and last data
 * change, and a hash of its children's names and data (which tells every
 * change of the children, whose zxids the snapshot does not hold).
 *
 * @param snapshot The snapshot.
 * @returns The version, such as `1a.2f-9c1e03aa`.
 */
export function versionOf(snapshot: NodeSnapshot): string {
  let version = versions.get(snapshot);
  if (version !== undefined) return version;
  const stat = snapshot.stat;
  const zxids = stat === null ? "0.0.0" : `${stat.czxid.toString(16)}.${stat.mzxid.toString(16)}`;
  const names = Object.keys(snapshot.children).sort();
  // The bounded writer: data nested past what JSON.stringify can recurse
  // must still have a version.
  const children = jsonText(names.map((n) => [n, snapshot.children[n]]), HASHED);
  version = `${zxids}-${fnv1a(jsonText(snapshot.data, HASHED) + children)}`;
  versions.set(snapshot, version);
  return version;
}

/**
 * Who registered a node, from the `hostname` and `pid` the registry writes.
 *
 * @param data The node's data.
 * @returns `hostname:pid`, the host name alone, or nothing.
 */
export function holderOf(data: NodeValue): string | undefined {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
  const record = data as Record<string, JsonValue>;
  if (typeof record.hostname !== "string") return undefined;
  return typeof record.pid === "number" ? `${record.hostname}:${record.pid}` : record.hostname;
}

function createdOf(data: NodeValue): number {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return 0;
  const created = (data as Record<string, JsonValue>).created;
  if (typeof created !== "string") return 0;
  const ms = Date.parse(created.replace(" ", "T") + "Z");
  return Number.isNaN(ms) ? 0 : ms;
}

const services = new WeakMap<NodeSnapshot, ServiceView>();

/**
 * A service's snapshot as the discovery model.
 *
 * @param name The service's name.
 * @param snapshot The registry's snapshot of its node.
 * @returns The service's view.
 */
export function serviceView(name: string, snapshot: NodeSnapshot): ServiceView {
  const cached = services.get(snapshot);
  if (cached !== undefined && cached.name === name) return cached;
  const instances = Object.keys(snapshot.children).sort().map((id) => {
    const data = snapshot.children[id];
    const holder = holderOf(data);
    const instance: InstanceView = toInstance(name, id, data);
    // A plain registration says when in its `created` (UTC, ndServiceRegistry's format).
    const since = instance.registrationTimeUTC || createdOf(data);
    return { ...instance, registrationTimeUTC: since, ...(holder === undefined ? {} : { holder }) };
  });
  const view = { name, version: versionOf(snapshot), stale: snapshot.stale, instances };
  services.set(snapshot, view);
  return view;
}
