/**
 * Service discovery as Apache Curator has it (curator-x-discovery): typed
 * instances under `/services/<service>/<id>`, written with Curator's JSON
 * field names so Java clients can read them, and providers that pick one
 * (see `service_instance.ts` and `service_provider.ts`). It stands on the
 * registry: instances are registrations, lookups are its cached, watched
 * `get()`, so each side reads what the other writes.
 *
 * @module
 */

import { ZooKeeperError } from "../protocol/errors.ts";
import { joinPath } from "../protocol/path.ts";
import type { JsonValue } from "./node_data.ts";
import type { NodeSnapshot } from "./snapshot.ts";
import type { Registry } from "./registry.ts";
import { curatorRecord, type ServiceInstance, toInstance } from "./service_instance.ts";
import { type ProviderOptions, ServiceProvider } from "./service_provider.ts";

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
      parents: "container",
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
   * @returns Its instances (none when the service is unknown); while
   *   ZooKeeper is away, the last ones known.
   * @throws {ZooKeeperError} `CONNECTIONLOSS` while ZooKeeper is away and
   *   nothing is known of the service: "no instances" would be a guess.
   */
  async instances(service: string): Promise<ServiceInstance[]> {
    const snapshot = await this.#registry.get(this.#path(service));
    if (unknown(snapshot)) {
      throw new ZooKeeperError(
        "CONNECTIONLOSS",
        `Cannot list the instances of "${service}": ZooKeeper is away and none are known`,
        { path: snapshot.path },
      );
    }
    return instancesOf(service, snapshot);
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
    return this.#registry.onChange(this.#path(service), (snapshot) => {
      // Away with nothing known: no news of the service, not an empty one.
      if (!unknown(snapshot)) callback(instancesOf(service, snapshot));
    });
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

/** A snapshot made while ZooKeeper is away, of a service nothing is known of. */
function unknown(snapshot: NodeSnapshot): boolean {
  return snapshot.stale && snapshot.stat === null;
}

function instancesOf(service: string, snapshot: NodeSnapshot): ServiceInstance[] {
  return Object.entries(snapshot.children).map(([id, data]) => toInstance(service, id, data));
}
