/**
 * Registrations made over HTTP: an instance held by the gateway's session
 * for a TTL the caller renews by repeating its PUT, so a process that dies
 * stops renewing and its instance goes, as an ephemeral node goes with a
 * session. Bounded in number; all removed when the gateway closes.
 *
 * @module
 */

import { ZooKeeperError } from "../protocol/errors.ts";
import { curatorRecord } from "../registry/service_instance.ts";
import { decodeNodeData, type JsonValue } from "../registry/node_data.ts";
import type { Registry } from "../registry/registry.ts";
import type { Clock, TimerHandle } from "../util/clock.ts";
import { jsonDepth, MAX_BODY_DEPTH } from "./json_text.ts";
import { HttpError } from "./respond.ts";
import { holderOf } from "./views.ts";

/** What a PUT's body holds: one instance. */
export interface InstanceBody {
  /** Host name or address. */
  address: string;
  /** Plain port. */
  port?: number | undefined;
  /** TLS port. */
  sslPort?: number | undefined;
  /** Whatever else the instance publishes. */
  payload?: JsonValue | undefined;
  /** Curator's URI template. */
  uriSpec?: string | undefined;
}

interface Held {
  key: string;
  registrationTimeUTC: number;
  expires: number;
  timer: TimerHandle;
}

/** The answer to a PUT. */
export interface PutResult {
  /** `created`, `updated` (the body changed) or `renewed` (only the TTL). */
  outcome: "created" | "updated" | "renewed";
  /** When the instance goes unless renewed, in milliseconds since the epoch. */
  expires: number;
}

function isPort(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) > 0 && (value as number) < 65536;
}

/**
 * Checks a PUT's body: a JSON object with an `address` and nothing the
 * discovery model does not have.
 *
 * @param text The body.
 * @returns The instance.
 * @throws {HttpError} 400 when it is not such an object.
 */
export function parseInstanceBody(text: string): InstanceBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, "The body is not JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new HttpError(400, "The body must be one JSON object (one instance per PUT)");
  }
  if (jsonDepth(value, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
    throw new HttpError(400, `The body nests deeper than ${MAX_BODY_DEPTH} levels`);
  }
  const body = value as Record<string, unknown>;
  const known = new Set(["address", "port", "sslPort", "payload", "uriSpec"]);
  const unknown = Object.keys(body).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new HttpError(400, `Unknown field "${unknown[0]}"`);
  if (typeof body.address !== "string" || body.address.length === 0 || body.address.length > 255) {
    throw new HttpError(400, "The body needs an address: a string of 1 to 255 characters");
  }
  for (const name of ["port", "sslPort"]) {
    if (body[name] !== undefined && !isPort(body[name])) {
      throw new HttpError(400, `The ${name} must be an integer from 1 to 65535`);
    }
  }
  if (body.uriSpec !== undefined && typeof body.uriSpec !== "string") {
    throw new HttpError(400, "The uriSpec must be a string");
  }
  return body as unknown as InstanceBody;
}

/** The registrations one gateway holds. */
export class GatewayRegistrations {
  readonly #registry: Registry;
  readonly #max: number;
  readonly #onError: (error: unknown) => void;
  readonly #clock: Clock;
  readonly #held = new Map<string, Held>();
  // Paths whose first PUT is under way: counted against the bound at once,
  // so concurrent PUTs cannot all pass the check before any lands.
  readonly #claimed = new Set<string>();

  /**
   * @param registry The registry whose session holds them.
   * @param max The most held at once.
   * @param onError Receives errors of removals on expiry.
   * @param clock Times the TTLs and gives the registration and expiry times.
   */
  constructor(
    registry: Registry,
    max: number,
    onError: (error: unknown) => void,
    clock: Clock,
  ) {
    this.#registry = registry;
    this.#max = max;
    this.#onError = onError;
    this.#clock = clock;
  }

  /** @returns The paths held now. */
  paths(): string[] {
    return [...this.#held.keys()];
  }

  /**
   * Registers or renews an instance.
   *
   * @param path Its node, `<base>/<service>/<id>`.
   * @param service The service's name.
   * @param id The instance's id.
   * @param body The instance.
   * @param ttl Milliseconds until it goes unless renewed.
   * @returns What happened.
   * @throws {HttpError} 429 when the gateway holds its limit already; 409
   *   when a node the gateway does not hold is at the path, or a first PUT
   *   of it is under way.
   */
  async put(
    path: string,
    service: string,
    id: string,
    body: InstanceBody,
    ttl: number,
  ): Promise<PutResult> {
    const key = JSON.stringify(body) + `/${ttl}`;
    const held = this.#held.get(path);
    if (held === undefined) {
      if (this.#claimed.has(path)) {
        throw new HttpError(409, `A registration of "${path}" is under way`);
      }
      if (this.#held.size + this.#claimed.size >= this.#max) {
        throw new HttpError(429, `The gateway holds its limit of ${this.#max} registrations`);
      }
      this.#claimed.add(path);
      try {
        await this.#checkFree(path);
        return await this.#write(path, service, id, body, ttl, key, undefined);
      } finally {
        this.#claimed.delete(path);
      }
    }
    return this.#write(path, service, id, body, ttl, key, held);
  }

  // A PUT creates or renews the gateway's own registration, never takes over
  // an operator's persistent node or another process's instance.
  async #checkFree(path: string): Promise<void> {
    const zk = this.#registry.client;
    if (zk === undefined || !zk.connected) {
      throw new HttpError(503, "ZooKeeper is not connected", { "retry-after": "5" });
    }
    const stat = await zk.exists(path);
    if (stat === null) return;
    if (stat.ephemeralOwner === 0n) {
      throw new HttpError(409, `Cannot register "${path}": a persistent node is there`);
    }
    let holder: string | undefined;
    try {
      holder = holderOf(decodeNodeData((await zk.getData(path)).data));
    } catch {
      // Gone meanwhile, or not ours to read: the session says enough.
    }
    const who = `session 0x${stat.ephemeralOwner.toString(16)}` +
      (holder === undefined ? "" : ` (${holder})`);
    throw new HttpError(409, `Cannot register "${path}": held by ${who}`);
  }

  async #write(
    path: string,
    service: string,
    id: string,
    body: InstanceBody,
    ttl: number,
    key: string,
    held: Held | undefined,
  ): Promise<PutResult> {
    const now = this.#clock.wallNow();
    const expires = now + ttl;
    if (held !== undefined && held.key === key) {
      this.#arm(path, held, ttl, expires);
      return { outcome: "renewed", expires };
    }
    const registrationTimeUTC = held?.registrationTimeUTC ?? now;
    const data = curatorRecord({
      name: service,
      id,
      address: body.address,
      port: body.port,
      sslPort: body.sslPort,
      payload: body.payload,
      uriSpec: body.uriSpec,
      registrationTimeUTC,
      serviceType: "DYNAMIC",
    });
    await this.#registry.setNode(path, data, {
      ephemeral: true,
      metadata: false,
      parents: "container",
    });
    const entry: Held = held ?? { key, registrationTimeUTC, expires, timer: undefined! };
    entry.key = key;
    this.#held.set(path, entry);
    this.#arm(path, entry, ttl, expires);
    return { outcome: held === undefined ? "created" : "updated", expires };
  }

  /**
   * Removes an instance this gateway holds.
   *
   * @param path Its node.
   * @returns Whether its node is gone now; without ZooKeeper, it goes as
   *   soon as ZooKeeper is back.
   * @throws {HttpError} 404 when the gateway does not hold it.
   */
  async delete(path: string): Promise<boolean> {
    const held = this.#held.get(path);
    if (held === undefined) {
      throw new HttpError(404, "The gateway holds no registration at this path");
    }
    this.#clock.clearTimeout(held.timer);
    this.#held.delete(path);
    return await this.#unset(path);
  }

  /** Removes every registration the gateway holds. */
  async close(): Promise<void> {
    const paths = this.paths();
    for (const held of this.#held.values()) this.#clock.clearTimeout(held.timer);
    this.#held.clear();
    await Promise.all(paths.map((p) => this.#unset(p).catch(this.#onError)));
  }

  // Without a connection the registry deletes the node once it has one:
  // that is no failure to report.
  async #unset(path: string): Promise<boolean> {
    try {
      await this.#registry.unset(path);
      return true;
    } catch (error) {
      if (ZooKeeperError.is(error, "CONNECTIONLOSS")) return false;
      throw error;
    }
  }

  #arm(path: string, held: Held, ttl: number, expires: number): void {
    this.#clock.clearTimeout(held.timer);
    held.expires = expires;
    held.timer = this.#clock.setTimeout(() => {
      if (this.#held.get(path) !== held) return;
      this.#held.delete(path);
      this.#unset(path).catch(this.#onError);
    }, ttl);
  }
}
