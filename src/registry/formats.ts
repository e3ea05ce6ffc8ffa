/**
 * The two registration formats other tools read besides the registry's own
 * JSON: Finagle/Aurora serverset members and Airbnb Nerve entries, which
 * Prometheus' ZooKeeper discovery (`serverset_sd_configs`,
 * `nerve_sd_configs`) turns into targets. Writing checks what it is given,
 * since those readers take any JSON object as a member; reading recognises
 * members written by anyone.
 *
 * @module
 */

import { baseName, parentPath } from "../protocol/path.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import type { JsonValue, NodeValue } from "./node_data.ts";

/**
 * A registration's data format: `serverset` writes
 * `{"serviceEndpoint":{"host","port"},"additionalEndpoints":{...},"status":"ALIVE"}`
 * (and `shard` when given), `nerve` writes `{"host","port","name"}` (and
 * `weight`, `labels` when given).
 */
export type NodeFormat = "serverset" | "nerve";

/** Every {@linkcode NodeFormat}. */
export const NODE_FORMATS: readonly NodeFormat[] = ["serverset", "nerve"];

/** A serverset or Nerve member as read back. */
export interface Member {
  /** Which format it is in. */
  format: NodeFormat;
  /** The main endpoint's host. */
  host: string;
  /** The main endpoint's port. */
  port: number;
  /** Serverset: its `status` (`ALIVE` for a live member). */
  status?: string | undefined;
  /** Nerve: its own labels (string values only). */
  labels?: Record<string, string> | undefined;
}

type Fields = Record<string, JsonValue>;

function isRecord(value: unknown): value is Fields {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// Hosts as Prometheus joins them into `host:port`: a name or an IPv4
// address, or an IPv6 address (two colons at least, so that a "host:port"
// given as the host is refused) with an optional zone; no brackets, no spaces.
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}$/;
const IPV6 =
  /^(?=(?:[^:]*:){2})[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){1,7}(?::\d{1,3}(?:\.\d{1,3}){3})?(?:%[\w.-]+)?$/;

/**
 * Whether a host can be joined with a port into a target address.
 *
 * @param host The host.
 * @returns `true` for a host name, an IPv4 address or an IPv6 address.
 */
export function isHost(host: unknown): host is string {
  return typeof host === "string" && (NAME.test(host) || IPV6.test(host));
}

/**
 * Whether a port is a TCP port a target can have.
 *
 * @param port The port.
 * @returns `true` for an integer from 1 to 65535.
 */
export function isPort(port: unknown): port is number {
  return typeof port === "number" && Number.isInteger(port) && port >= 1 && port <= 65535;
}

class Checker {
  readonly #format: NodeFormat;
  readonly #path: string;

  constructor(format: NodeFormat, path: string) {
    this.#format = format;
    this.#path = path;
  }

  fail(problem: string): never {
    throw new ZooKeeperError(
      "BADARGUMENTS",
      `Cannot register "${this.#path}" as a ${this.#format} member: ${problem}`,
      { path: this.#path },
    );
  }

  only(data: Fields, allowed: readonly string[]): void {
    for (const key of Object.keys(data)) {
      if (!allowed.includes(key)) {
        this.fail(`unknown field "${key}" (it takes ${allowed.join(", ")})`);
      }
    }
  }

  endpoint(value: unknown, what: string): { host: string; port: number } {
    if (!isRecord(value)) return this.fail(`${what} must be an object with host and port`);
    const { host, port } = value;
    if (!isHost(host)) {
      this.fail(`${what} has ${host === undefined ? "no host" : `an invalid host ${show(host)}`}`);
    }
    if (!isPort(port)) {
      this.fail(
        `${what} has ${
          port === undefined ? "no port" : `an invalid port ${show(port)}`
        }: an integer from 1 to 65535`,
      );
    }
    return { host, port };
  }

  integer(value: unknown, what: string): number {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      this.fail(`${what} ${show(value)} is not an integer of 0 or more`);
    }
    return value;
  }
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/**
 * The data of a serverset or Nerve member, checked: exactly the fields its
 * readers know, with the types they parse (Prometheus drops a member whose
 * `port` or `shard` is not a JSON integer).
 *
 * @param format `serverset` or `nerve`.
 * @param path The member's path (a Nerve name defaults to its parent's name).
 * @param data `host`, `port`; serverset: `endpoints` (`{ name: { host, port } }`)
 *   and `shard`; Nerve: `name`, `weight` and `labels` (string values).
 * @returns The member's JSON value.
 * @throws {ZooKeeperError} `BADARGUMENTS` for an unknown format, a missing or
 *   invalid host or port, or any other field of the wrong type or name.
 */
export function formatMember(format: unknown, path: string, data: unknown): Fields {
  if (!(NODE_FORMATS as readonly unknown[]).includes(format)) {
    throw new ZooKeeperError(
      "BADARGUMENTS",
      `Cannot register "${path}": unknown format ${show(format)} (use ${NODE_FORMATS.join(", ")})`,
      { path },
    );
  }
  const check: Checker = new Checker(format as NodeFormat, path);
  if (!isRecord(data)) return check.fail("its data must be an object with host and port");
  const main = check.endpoint(data, "it");
  if (format === "serverset") {
    check.only(data, ["host", "port", "endpoints", "shard"]);
    const additional: Fields = Object.create(null);
    if (data.endpoints !== undefined) {
      if (!isRecord(data.endpoints)) check.fail("endpoints must be an object of { host, port }");
      for (const [name, endpoint] of Object.entries(data.endpoints)) {
        if (name === "") check.fail("an endpoint has an empty name");
        additional[name] = check.endpoint(endpoint, `endpoint "${name}"`);
      }
    }
    return {
      serviceEndpoint: main,
      additionalEndpoints: additional,
      status: "ALIVE",
      ...(data.shard === undefined ? {} : { shard: check.integer(data.shard, "shard") }),
    };
  }
  check.only(data, ["host", "port", "name", "weight", "labels"]);
  const name = data.name ?? baseName(parentPath(path));
  if (typeof name !== "string" || name === "") {
    check.fail(data.name === undefined ? "it needs a name (its parent is /)" : "invalid name");
  }
  let labels: Fields | undefined;
  if (data.labels !== undefined) {
    if (!isRecord(data.labels)) check.fail("labels must be an object of strings");
    labels = Object.create(null) as Fields;
    for (const [key, value] of Object.entries(data.labels)) {
      if (typeof value !== "string") check.fail(`label "${key}" is not a string`);
      labels[key] = value;
    }
  }
  return {
    ...main,
    name,
    ...(data.weight === undefined ? {} : { weight: check.integer(data.weight, "weight") }),
    ...(labels === undefined ? {} : { labels }),
  };
}

/** A field by name, matched case-insensitively as Go's JSON decoder (Prometheus) does. */
function field(record: Fields, name: string): JsonValue | undefined {
  if (Object.hasOwn(record, name)) return record[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(record)) if (key.toLowerCase() === lower) return record[key];
  return undefined;
}

/**
 * Reads a serverset or Nerve member, whoever wrote it.
 *
 * @param data A node's decoded data.
 * @returns The member, or `undefined` when the data is neither (or has no
 *   usable host and port).
 */
export function readMember(data: NodeValue | undefined): Member | undefined {
  if (!isRecord(data)) return undefined;
  const endpoint = field(data, "serviceEndpoint");
  if (isRecord(endpoint)) {
    const host = field(endpoint, "host");
    const port = field(endpoint, "port");
    if (!isHost(host) || !isPort(port)) return undefined;
    const status = field(data, "status");
    return { format: "serverset", host, port, ...(typeof status === "string" ? { status } : {}) };
  }
  const host = field(data, "host");
  const port = field(data, "port");
  const name = field(data, "name");
  // The registry's own records carry `created`; a Nerve entry never does.
  if (typeof name !== "string" || !isHost(host) || !isPort(port) || "created" in data) {
    return undefined;
  }
  const labels = field(data, "labels");
  return { format: "nerve", host, port, ...(isRecord(labels) ? { labels: strings(labels) } : {}) };
}

/**
 * The string, number and boolean values of an object, as text; others are
 * left out.
 *
 * @param record The object.
 * @returns A null-prototype object of strings.
 */
export function strings(record: Fields): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      out[key] = String(value);
    }
  }
  return out;
}
