/**
 * What a registry is doing, counted from the outside through its public
 * API: its connection state and the transitions `onStateChange` reports,
 * how long the data has been stale, and what its user says it looks up
 * and registers. A snapshot object, and Prometheus series.
 *
 * @module
 */

import type { Registry, RegistryState } from "../registry/registry.ts";
import { isConnected } from "../session/state.ts";
import { systemClock } from "../util/clock.ts";
import type { Metrics } from "../util/metrics.ts";

/** A registry's numbers at one moment. */
export interface RegistryMetricsSnapshot {
  /** The connection state's type. */
  state: RegistryState["type"];
  /** Whether it is connected (read-write or read-only). */
  connected: boolean;
  /** New sessions established. */
  connects: number;
  /** Connections restored to the same session. */
  reconnects: number;
  /** Connections lost. */
  disconnects: number;
  /** Sessions expired. */
  expirations: number;
  /** Credentials refused. */
  authFailures: number;
  /** Seconds since the last moment the data was known good; 0 while connected. */
  staleSeconds: number;
  /** Paths looked up through the observer (each held current by the registry's cache). */
  cacheEntries: number;
  /** Registrations the observer's user holds. */
  registrations: number;
  /** Those of them whose node is there now. */
  healthyRegistrations: number;
  /** Change events handed to subscribers. */
  eventsDelivered: number;
}

/** What an observer cannot see by itself: supplied by its user. */
export interface RegistryObserverSources {
  /** Paths looked up. @default {() => 0} */
  cacheEntries?: (() => number) | undefined;
  /** Registrations held and how many are healthy. @default {() => ({ total: 0, healthy: 0 })} */
  registrations?: (() => { total: number; healthy: number }) | undefined;
  /** Events delivered. @default {() => 0} */
  eventsDelivered?: (() => number) | undefined;
  /** The time, in milliseconds. @default {systemClock.now} */
  now?: (() => number) | undefined;
}

/** Counts a registry's state changes from the moment it is made. */
export class RegistryObserver {
  readonly #registry: Registry;
  readonly #sources: RegistryObserverSources;
  readonly #now: () => number;
  readonly #off: () => void;
  readonly #counts = {
    connects: 0,
    reconnects: 0,
    disconnects: 0,
    expirations: 0,
    authFailures: 0,
  };
  #lastGood: number;

  /**
   * Starts observing.
   *
   * @param registry The registry.
   * @param sources What the observer cannot see by itself.
   */
  constructor(registry: Registry, sources: RegistryObserverSources = {}) {
    this.#registry = registry;
    this.#sources = sources;
    this.#now = sources.now ?? systemClock.now;
    this.#lastGood = this.#now();
    this.#off = registry.onStateChange((state) => this.#count(state));
  }

  /**
   * Reads the numbers.
   *
   * @returns The numbers now.
   */
  snapshot(): RegistryMetricsSnapshot {
    const state = this.#registry.state;
    const connected = isConnected(state);
    if (connected) this.#lastGood = this.#now();
    const registrations = this.#sources.registrations?.() ?? { total: 0, healthy: 0 };
    return {
      state: state.type,
      connected,
      ...this.#counts,
      staleSeconds: connected ? 0 : Math.max(0, (this.#now() - this.#lastGood) / 1000),
      cacheEntries: this.#sources.cacheEntries?.() ?? 0,
      registrations: registrations.total,
      healthyRegistrations: registrations.healthy,
      eventsDelivered: this.#sources.eventsDelivered?.() ?? 0,
    };
  }

  /**
   * Writes the numbers now into gauges and counters of `metrics` (defined
   * on the first call), for `metrics.render()`.
   *
   * @param metrics Where to write.
   * @param prefix Put before each series' name.
   */
  export(metrics: Metrics, prefix = "zk_registry_"): void {
    const s = this.snapshot();
    let series = exported.get(metrics);
    if (series === undefined) {
      const g = (name: string, help: string) => metrics.gauge(prefix + name, help);
      series = {
        state: g("state", "1 for the current connection state, by state."),
        connected: g("connected", "1 while connected to ZooKeeper."),
        transitions: g(
          "state_transitions",
          "State changes seen since the gateway started, by kind.",
        ),
        stale: g("stale_seconds", "Seconds since the data was last known good (0 if connected)."),
        cache: g("cache_entries", "Paths looked up and kept current by watches."),
        registrations: g("registrations", "Registrations held, by health."),
        events: g("events_delivered", "Change events handed to subscribers since the start."),
      };
      exported.set(metrics, series);
    }
    series.state.reset();
    series.state.set(1, { state: s.state });
    series.connected.set(s.connected ? 1 : 0);
    for (const kind of TRANSITIONS) series.transitions.set(s[kind], { kind });
    series.stale.set(s.staleSeconds);
    series.cache.set(s.cacheEntries);
    series.registrations.set(s.healthyRegistrations, { health: "healthy" });
    series.registrations.set(s.registrations - s.healthyRegistrations, { health: "missing" });
    series.events.set(s.eventsDelivered);
  }

  /** Stops observing. */
  close(): void {
    this.#off();
  }

  #count(state: RegistryState): void {
    switch (state.type) {
      case "connected":
      case "connectedReadOnly":
        this.#counts.connects++;
        break;
      case "reconnected":
        this.#counts.reconnects++;
        break;
      case "disconnected":
        this.#counts.disconnects++;
        this.#lastGood = this.#now();
        break;
      case "expired":
        this.#counts.expirations++;
        break;
      case "authFailed":
        this.#counts.authFailures++;
        break;
    }
  }
}

type Gauge = ReturnType<Metrics["gauge"]>;
const TRANSITIONS = [
  "connects",
  "reconnects",
  "disconnects",
  "expirations",
  "authFailures",
] as const;
const exported = new WeakMap<Metrics, Record<string, Gauge>>();
