/**
 * Picking one instance of a service, as Curator's `ServiceProvider` does:
 * a strategy (random, round robin, sticky or a function), filters, and a
 * down-instance policy that leaves out an instance after repeated errors.
 *
 * @module
 */

import { type Clock, clockOption } from "../util/clock.ts";
import type { ServiceInstance } from "./service_instance.ts";

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
