/**
 * A service instance as Apache Curator writes it (curator-x-discovery's
 * `ServiceInstance`, with its JSON field names so Java clients can read it),
 * and how any child of a service node is read as one: Curator's records,
 * serverset and Nerve members, and plain registrations.
 *
 * @module
 */

import { readMember } from "./formats.ts";
import type { JsonValue, NodeValue } from "./node_data.ts";

/** One instance of a service, with Curator's field names. */
export interface ServiceInstance {
  /** The service's name. */
  name: string;
  /** The instance's id, unique within the service. */
  id: string;
  /** Host name or address. */
  address: string;
  /** Plain port. */
  port?: number | undefined;
  /** TLS port. */
  sslPort?: number | undefined;
  /** Whatever else the instance publishes. */
  payload?: JsonValue | undefined;
  /** Registration time, in milliseconds since the epoch. */
  registrationTimeUTC: number;
  /** `DYNAMIC` for an ephemeral registration, `PERMANENT` for a persistent one. */
  serviceType: "DYNAMIC" | "STATIC" | "PERMANENT";
  /** Curator's URI template, if any. */
  uriSpec?: string | undefined;
  /**
   * `false` takes the instance out of rotation without unregistering it
   * (Curator 5, CURATOR-275): providers skip it.
   *
   * @default {true}
   */
  enabled?: boolean | undefined;
}

function isRecord(value: NodeValue | undefined): value is Record<string, JsonValue> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Jackson's type id, which Curator's payload carries and its own reader strips. */
function withoutTypeId(payload: JsonValue): JsonValue {
  if (!isRecord(payload) || !("@class" in payload)) return payload;
  const { "@class": _typeId, ...rest } = payload;
  return rest;
}

/**
 * What a plain registration publishes, without the registry's own fields:
 * ndServiceRegistry's `{"string_value": text}` (how it stores text) is the
 * text, as its `DataNode` reads it back.
 */
function plainPayload(data: NodeValue): JsonValue | undefined {
  if (!isRecord(data)) return data ?? undefined;
  const { created: _c, pid: _p, hostname: _h, ...rest } = data;
  const keys = Object.keys(rest);
  if (keys.length === 1 && typeof rest.string_value === "string") return rest.string_value;
  return data;
}

/**
 * The node data of an instance, as Curator's `ServiceInstance` is written:
 * its fields only, since Curator's reader with default Jackson settings
 * rejects any other (`Unrecognized field "created"`). Write it with
 * `metadata: false`.
 *
 * @param instance The instance.
 * @returns The record.
 */
export function curatorRecord(instance: ServiceInstance): Record<string, JsonValue> {
  return {
    name: instance.name,
    id: instance.id,
    address: instance.address,
    ...(instance.port === undefined ? {} : { port: instance.port }),
    ...(instance.sslPort === undefined ? {} : { sslPort: instance.sslPort }),
    ...(instance.payload === undefined ? {} : { payload: instance.payload }),
    registrationTimeUTC: instance.registrationTimeUTC,
    serviceType: instance.serviceType,
    ...(instance.uriSpec === undefined ? {} : { uriSpec: instance.uriSpec }),
    enabled: instance.enabled ?? true,
  };
}

/**
 * Whether a node's data is a Curator service instance.
 *
 * @param data The node's decoded data.
 * @returns `true` when it has Curator's `address` and `registrationTimeUTC`.
 */
export function isCuratorInstance(data: NodeValue | undefined): boolean {
  return isRecord(data) && typeof data.address === "string" &&
    typeof data.registrationTimeUTC === "number";
}

/**
 * Reads an instance from a child of a service node. Nodes not written by
 * this layer are mapped as well as they can be: serverset and Nerve members
 * (`setNode` with a `format`) by their endpoint, enabled while a serverset's
 * status is `ALIVE`; plain `setNode` registrations by the data's
 * `address`/`port` fields, else a `host:port` child name. Their whole data is
 * the payload.
 *
 * @param service The service's name.
 * @param childName The child's name.
 * @param data The child's decoded data.
 * @returns The instance.
 */
export function toInstance(service: string, childName: string, data: NodeValue): ServiceInstance {
  const record = isRecord(data) ? data : {};
  if (isCuratorInstance(data)) {
    const r = record as unknown as ServiceInstance;
    return {
      name: service,
      id: childName,
      address: r.address,
      ...(typeof r.port === "number" ? { port: r.port } : {}),
      ...(typeof r.sslPort === "number" ? { sslPort: r.sslPort } : {}),
      ...(r.payload === undefined || r.payload === null
        ? {}
        : { payload: withoutTypeId(r.payload) }),
      registrationTimeUTC: r.registrationTimeUTC,
      serviceType: r.serviceType ?? "DYNAMIC",
      ...(typeof r.uriSpec === "string" ? { uriSpec: r.uriSpec } : {}),
      enabled: r.enabled !== false,
    };
  }
  const member = readMember(data);
  if (member !== undefined) {
    return {
      name: service,
      id: childName,
      address: member.host,
      port: member.port,
      payload: data,
      registrationTimeUTC: 0,
      serviceType: "DYNAMIC",
      enabled: member.status === undefined || member.status === "ALIVE",
    };
  }
  const colon = childName.lastIndexOf(":");
  const port = Number(childName.slice(colon + 1));
  const named = colon > 0 && Number.isInteger(port);
  const address = typeof record.address === "string"
    ? record.address
    : named
    ? childName.slice(0, colon)
    : childName;
  return {
    name: service,
    id: childName,
    address,
    port: typeof record.port === "number" ? record.port : named ? port : undefined,
    payload: plainPayload(data),
    registrationTimeUTC: 0,
    serviceType: "DYNAMIC",
    enabled: true,
  };
}
