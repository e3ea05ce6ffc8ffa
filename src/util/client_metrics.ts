/**
 * What a ZooKeeper client reports about its own work, as an interface the
 * client calls (so it depends on no metrics library), and a recorder that
 * keeps it as Prometheus series.
 *
 * @module
 */

import { type Counter, type Gauge, type Histogram, Metrics } from "./metrics.ts";

/**
 * The kinds of watch a client holds: one-shot data, exist and child watches,
 * and the two persistent modes of `addWatch`.
 */
export type WatchKind = "data" | "exist" | "child" | "persistent" | "persistentRecursive";

/**
 * Hooks a client calls as it works. Every method must be cheap and must not
 * throw: the client calls them on its hot path.
 */
export interface ClientMetricsRecorder {
  /**
   * A request was sent.
   *
   * @param op The operation's name, such as `getData`.
   */
  requestStarted(op: string): void;
  /**
   * A request was answered, or failed.
   *
   * @param op The operation's name.
   * @param ms How long it took, in milliseconds.
   * @param errorCode The ZooKeeper error's code (`NONODE`, ...) when it failed.
   */
  requestEnded(op: string, ms: number, errorCode?: string): void;
  /**
   * The number of watches held of a kind changed.
   *
   * @param kind The kind.
   * @param count How many are held now.
   */
  watchesHeld(kind: WatchKind, count: number): void;
  /**
   * A watch event was handed to the application.
   *
   * @param type The event's type, such as `NodeDataChanged`.
   */
  eventDelivered(type: string): void;
  /**
   * The connection state changed: `connected` (a new session),
   * `reconnected`, `disconnected`, `expired`, `authFailed`, `closed`, ...
   *
   * @param state The new state's `type`.
   */
  stateChanged(state: string): void;
}

/** A recorder that keeps what a client reports as Prometheus series. */
export class PrometheusClientRecorder implements ClientMetricsRecorder {
  /** The series, rendered with `metrics.render()`. */
  readonly metrics: Metrics;
  readonly #inFlight: Gauge;
  readonly #latency: Histogram;
  readonly #errors: Counter;
  readonly #watches: Gauge;
  readonly #events: Counter;
  readonly #states: Counter;

  /**
   * Defines the series.
   *
   * @param metrics Where the series are defined (a fresh set by default).
   * @param prefix Put before each series' name.
   */
  constructor(metrics: Metrics = new Metrics(), prefix = "zk_client_") {
    this.metrics = metrics;
    this.#inFlight = metrics.gauge(
      `${prefix}requests_in_flight`,
      "Requests sent and not answered.",
    );
    this.#latency = metrics.histogram(
      `${prefix}request_duration_seconds`,
      "Time from sending a request to its reply, by operation.",
    );
    this.#errors = metrics.counter(
      `${prefix}request_errors_total`,
      "Requests that failed, by operation and ZooKeeper error code.",
    );
    this.#watches = metrics.gauge(`${prefix}watches`, "Watches held, by kind.");
    this.#events = metrics.counter(
      `${prefix}events_delivered_total`,
      "Watch events handed to the application, by type.",
    );
    this.#states = metrics.counter(
      `${prefix}state_changes_total`,
      "Connection state changes, by the new state (connected, reconnected, expired, authFailed, ...).",
    );
  }

  /**
   * Counts a request in flight.
   *
   * @param op The operation.
   */
  requestStarted(op: string): void {
    this.#inFlight.add(1, { op });
  }

  /**
   * Records a request's end: in flight no more, its latency, its error.
   *
   * @param op The operation.
   * @param ms Its duration in milliseconds.
   * @param errorCode The error's code, when it failed.
   */
  requestEnded(op: string, ms: number, errorCode?: string): void {
    this.#inFlight.add(-1, { op });
    this.#latency.observe(ms / 1000, { op });
    if (errorCode !== undefined) this.#errors.inc({ op, code: errorCode });
  }

  /**
   * Sets the number of watches held of a kind.
   *
   * @param kind The kind.
   * @param count How many are held now.
   */
  watchesHeld(kind: WatchKind, count: number): void {
    this.#watches.set(count, { kind });
  }

  /**
   * Counts an event delivered.
   *
   * @param type The event's type.
   */
  eventDelivered(type: string): void {
    this.#events.inc({ type });
  }

  /**
   * Counts a change of connection state.
   *
   * @param state The new state's type.
   */
  stateChanged(state: string): void {
    this.#states.inc({ state });
  }
}
