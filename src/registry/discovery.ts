/**
 * Service discovery as Apache Curator has it (curator-x-discovery): typed
 * instances under `/services/<service>/<id>`, written with Curator's JSON
 * field names so Java clients can read them, and a provider that picks one
 * with a strategy, filters and a down-instance policy. It stands on the
 * registry: instances are registrations, lookups are its cached, watched
 * `get()`, so each side reads what the other writes.
 *
 * @module
 */

import { joinPath } from "../protocol/path.ts";
import { type Clock, clockOption } from "../util/clock.ts";
import { readMember } from "./formats.ts";
import type { JsonValue, NodeValue } from "./node_data.ts";
import type { NodeSnapshot } from "./snapshot.ts";
import type { Registry } from "./registry.ts";

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

/** What `register` needs; the rest is filled in. */
export interface RegisterOptions {
  /** The instance's id. @default {crypto.randomUUID()} */
  id?: string | undefined;
  /** Host name or address. */
  address: string;
  /** Plain port. */
  port?: number | undefined;
  /** TLS port. */
  sslPort?: number | undefined;
  /** Whatever else the instance publishes. */
  payload?: JsonValue | undefined;
  /** `false` registers a persistent (`PERMANENT`) instance. @default {true} */
  ephemeral?: boolean | undefined;
  /** `false` registers it out of rotation (see {@linkcode ServiceInstance.enabled}). @default {true} */
  enabled?: boolean | undefined;
}

/** How a provider picks among instances. */
export type ProviderStrategy =
  | "random"
  | "roundRobin"
  | "sticky"
  | ((instances: readonly ServiceInstance[]) => ServiceInstance | undefined);

/** Options of {@linkcode ServiceDiscovery.provider}. */
export interface ProviderOptions {
  /** How to pick. @default {"roundRobin"} */
  strategy?: ProviderStrategy | undefined;
  /** Only instances every filter accepts are candidates. */
  filters?: ((instance: ServiceInstance) => boolean)[] | undefined;
  /**
   * After `errorThreshold` errors noted within `timeout` ms, an instance is
   * left out for `timeout` ms.
   */
  downInstancePolicy?: { timeout: number; errorThreshold: number } | undefined;
  /**
   * Times the down-instance policy.
   *
   * @default {the registry's clock with `ServiceDiscovery.provider`, else systemClock}
   */
  clock?: Clock | undefined;
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

/**
 * Curator-style discovery on a {@linkcode Registry}.
 *
 * @example Register, then pick an instance
 * ```ts ignore
 * const discovery = new ServiceDiscovery(registry);
 * await discovery.register("web", { address: "10.0.0.1", port: 8080 });
 * const provider = discovery.provider("web", { strategy: "roundRobin" });
 * const instance = await provider.getInstance();
 * ```
 */
export class ServiceDiscovery {
  readonly #registry: Registry;
  readonly #basePath: string;

  /**
   * Uses a registry's connection and cache.
   *
   * @param registry The registry.
   * @param options `basePath` of the services.
   */
  constructor(registry: Registry, options: { basePath?: string | undefined } = {}) {
    this.#registry = registry;
    this.#basePath = options.basePath ?? "/services";
  }

  #path(service: string, id?: string): string {
    const servicePath = joinPath(this.#basePath, service);
    return id === undefined ? servicePath : joinPath(servicePath, id);
  }

  /**
   * Registers an instance; like any registration it survives reconnects and
   * is made again after a session expiry. It is written in Curator's format
   * only, which Curator's readers need (they refuse any other); serverset
   * and Nerve members are registered with `Registry.setNode`'s `format`, and
   * read back here as instances.
   *
   * @param service The service's name.
   * @param options Address, ports, payload, id.
   * @returns The instance as written.
   */
  async register(service: string, options: RegisterOptions): Promise<ServiceInstance> {
    const ephemeral = options.ephemeral ?? true;
    const instance: ServiceInstance = {
      name: service,
      id: options.id ?? crypto.randomUUID(),
      address: options.address,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.sslPort === undefined ? {} : { sslPort: options.sslPort }),
      ...(options.payload === undefined ? {} : { payload: options.payload }),
      registrationTimeUTC: this.#registry.clock.wallNow(),
      serviceType: ephemeral ? "DYNAMIC" : "PERMANENT",
      enabled: options.enabled ?? true,
    };
    await this.#write(instance);
    return instance;
  }

  /**
   * Writes an instance's new details.
   *
   * @param instance The instance, as `register` or `instances` returned it.
   */
  async update(instance: ServiceInstance): Promise<void> {
    await this.#write(instance);
  }

  async #write(instance: ServiceInstance): Promise<void> {
    await this.#registry.setNode(this.#path(instance.name, instance.id), curatorRecord(instance), {
      ephemeral: instance.serviceType !== "PERMANENT",
      metadata: false,
    });
  }

  /**
   * Removes an instance.
   *
   * @param service The service's name.
   * @param id The instance's id.
   */
  async unregister(service: string, id: string): Promise<void> {
    await this.#registry.unset(this.#path(service, id));
  }

  /**
   * The instances of a service, from the registry's watched cache.
   *
   * @param service The service's name.
   * @returns Its instances (none when the service is unknown).
   */
  async instances(service: string): Promise<ServiceInstance[]> {
    return instancesOf(service, await this.#registry.get(this.#path(service)));
  }

  /** The names of the services under the base path (followed by name only). */
  async services(): Promise<string[]> {
    const base = await this.#registry.get(this.#basePath, undefined, { childData: false });
    return Object.keys(base.children);
  }

  /**
   * Calls `callback` with a service's instances whenever they change.
   *
   * @param service The service's name.
   * @param callback Receives the instances.
   * @returns A function that removes the callback.
   */
  onChange(service: string, callback: (instances: ServiceInstance[]) => void): () => void {
    return this.#registry.onChange(
      this.#path(service),
      (snapshot) => callback(instancesOf(service, snapshot)),
    );
  }

  /**
   * A provider of one service's instances.
   *
   * @param service The service's name.
   * @param options Strategy, filters, down-instance policy.
   * @returns The provider.
   */
  provider(service: string, options: ProviderOptions = {}): ServiceProvider {
    return new ServiceProvider(() => this.instances(service), {
      clock: this.#registry.clock,
      ...options,
    });
  }
}

function instancesOf(service: string, snapshot: NodeSnapshot): ServiceInstance[] {
  return Object.entries(snapshot.children).map(([id, data]) => toInstance(service, id, data));
}

/** Picks instances of one service (Curator's `ServiceProvider`). */
export class ServiceProvider {
  readonly #list: () => Promise<ServiceInstance[]>;
  readonly #options: ProviderOptions;
  readonly #clock: Clock;
  readonly #errors = new Map<string, number[]>();
  readonly #downUntil = new Map<string, number>();
  #next = 0;
  #sticky: string | undefined;

  /**
   * Makes a provider; {@linkcode ServiceDiscovery.provider} is the usual way.
   *
   * @param list Reads the current instances.
   * @param options Strategy, filters, down-instance policy.
   * @throws {TypeError} When `clock` is not a clock.
   */
  constructor(list: () => Promise<ServiceInstance[]>, options: ProviderOptions = {}) {
    this.#list = list;
    this.#options = options;
    this.#clock = clockOption(options.clock);
  }

  /**
   * Every enabled instance the filters accept and the policy does not leave
   * out, by id.
   */
  async getAllInstances(): Promise<ServiceInstance[]> {
    const now = this.#clock.now();
    const filters = this.#options.filters ?? [];
    return (await this.#list())
      .filter((i) =>
        i.enabled !== false && (this.#downUntil.get(i.id) ?? 0) <= now && filters.every((f) => f(i))
      )
      .sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  }

  /** One instance by the strategy, or `undefined` when there is none. */
  async getInstance(): Promise<ServiceInstance | undefined> {
    const candidates = await this.getAllInstances();
    if (candidates.length === 0) return undefined;
    const strategy = this.#options.strategy ?? "roundRobin";
    if (typeof strategy === "function") return strategy(candidates);
    if (strategy === "random") return candidates[Math.floor(Math.random() * candidates.length)];
    if (strategy === "sticky") {
      const kept = candidates.find((i) => i.id === this.#sticky);
      if (kept !== undefined) return kept;
      const chosen = candidates[Math.floor(Math.random() * candidates.length)];
      this.#sticky = chosen.id;
      return chosen;
    }
    return candidates[this.#next++ % candidates.length];
  }

  /**
   * Reports an error with an instance; after `errorThreshold` of them within
   * `timeout` ms it is left out for `timeout` ms.
   *
   * @param instance The instance that failed.
   */
  noteError(instance: ServiceInstance): void {
    const policy = this.#options.downInstancePolicy;
    if (policy === undefined) return;
    const now = this.#clock.now();
    const recent = (this.#errors.get(instance.id) ?? []).filter((t) => now - t < policy.timeout);
    recent.push(now);
    this.#errors.set(instance.id, recent);
    if (recent.length >= policy.errorThreshold) {
      this.#downUntil.set(instance.id, now + policy.timeout);
      this.#errors.delete(instance.id);
    }
  }
}
