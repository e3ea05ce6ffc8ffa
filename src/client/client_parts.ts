/**
 * What a client is made of, wired together before it connects: the session
 * and where its events go (the watches, the state listeners, the metrics),
 * the call gate every operation goes through, and the credentials of the
 * options, checked before the session starts and sent first.
 *
 * @module
 */

import { DEFAULT_MAX_DATA_SIZE } from "../protocol/constants.ts";
import type { Clock } from "../session/clock.ts";
import type { ControlRequest } from "../session/request_encoder.ts";
import { Session, type SessionListener } from "../session/session.ts";
import type { ConnectionState } from "../session/state.ts";
import { notifyAll } from "../util/notify.ts";
import { checkAuth } from "./arguments.ts";
import { CallGate } from "./call_gate.ts";
import { Chroot } from "./chroot.ts";
import type { ConnectSettings } from "./connect_settings.ts";
import type { ZooKeeperOptions } from "./options.ts";
import type { ClientMetricsRecorder } from "../util/client_metrics.ts";
import { WatchManager } from "./watch_manager.ts";
import { restoreWatchRequests } from "./watch_restore.ts";

/** The listeners of a client's state changes. */
export interface StateListeners {
  /**
   * Adds a listener of state changes.
   *
   * @param listener Receives each new state.
   * @returns Its removal.
   */
  subscribe(listener: (state: ConnectionState) => void): () => void;
}

/** The parts of one client, shared by its methods. */
export interface ClientParts {
  /** The session. */
  readonly session: Session;
  /** The clock of the client's timers. */
  readonly clock: Clock;
  /** The chroot: user paths to server paths and back. */
  readonly paths: Chroot;
  /** The watches. */
  readonly watches: WatchManager;
  /** The way every operation goes to the session. */
  readonly gate: CallGate;
  /** The largest data a node may be given. */
  readonly maxDataSize: number;
  /** Where errors of listeners and watchers go. */
  readonly onError: (error: unknown) => void;
  /** The listeners of state changes. */
  readonly states: StateListeners;
  /** The answers to the credentials of the options, awaited by connect; none without them. */
  readonly initialAuth: Promise<void> | undefined;
}

/**
 * Makes a client's parts and starts its session.
 *
 * @param settings The chroot and the session's settings.
 * @param options The client's options.
 * @returns The parts, the session connecting.
 * @throws {ZooKeeperError} `BADARGUMENTS` for credentials of the options
 *   that are not a string scheme with string or byte credentials, before
 *   the session starts.
 */
export function clientParts(settings: ConnectSettings, options: ZooKeeperOptions): ClientParts {
  const credentials = checkCredentials(options);
  const paths = new Chroot(settings.chroot);
  const onError = options.onError ?? logError;
  const session = new Session(settings.session);
  const watches = new WatchManager(session, paths, options.watcher, onError, options.metrics);
  const events = new ClientEvents(watches, paths, onError, options.metrics);
  session.start(events);
  const gate = new CallGate({
    session,
    paths,
    requestTimeout: options.requestTimeout,
    callerStacks: options.callerStacks ?? true,
  });
  let initialAuth: Promise<void> | undefined;
  if (credentials.length > 0) {
    initialAuth = Promise.all(credentials.map((c) => session.addAuth(c.scheme, c.auth)))
      .then(() => {});
    initialAuth.catch(() => {});
  }
  return {
    session,
    clock: settings.session.clock,
    paths,
    watches,
    gate,
    maxDataSize: options.maxDataSize ?? DEFAULT_MAX_DATA_SIZE,
    onError,
    states: events,
    initialAuth,
  };
}

// What the session reports, and the client's state listeners: one object
// whose methods are shared by every client, where five closures and their
// scope would be held as long as the client.
class ClientEvents implements SessionListener, StateListeners {
  readonly #watches: WatchManager;
  readonly #paths: Chroot;
  readonly #onError: (error: unknown) => void;
  readonly #metrics: ClientMetricsRecorder | undefined;
  // Made for the first listener and dropped with the last: a connected client
  // has none of its own.
  #listeners: Set<(state: ConnectionState) => void> | undefined;

  constructor(
    watches: WatchManager,
    paths: Chroot,
    onError: (error: unknown) => void,
    metrics: ClientMetricsRecorder | undefined,
  ) {
    this.#watches = watches;
    this.#paths = paths;
    this.#onError = onError;
    this.#metrics = metrics;
  }

  notification(type: number, state: number, path: string): void {
    this.#watches.notification(type, state, path);
  }

  state(state: ConnectionState): void {
    this.#metrics?.stateChanged(state.type);
    if (this.#listeners !== undefined) notifyAll(this.#listeners, state, this.#onError);
    this.#watches.sessionEvent(state);
  }

  restoreWatches(lastZxid: bigint): ControlRequest[] {
    return restoreWatchRequests(this.#watches.registry, this.#paths, lastZxid);
  }

  warning(error: Error): void {
    this.#onError(error);
  }

  subscribe(listener: (state: ConnectionState) => void): () => void {
    const set = this.#listeners ??= new Set();
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners === set) this.#listeners = undefined;
    };
  }
}

// The credentials of the options, checked; in a scope of their own, which
// the client's closures do not keep.
function checkCredentials(options: ZooKeeperOptions): { scheme: string; auth: Uint8Array }[] {
  const subject = { verb: "authenticate" };
  return (options.auth ?? []).map((a) => ({
    scheme: a.scheme,
    auth: checkAuth(subject, a.scheme, a.auth),
  }));
}

// Where errors go without an `onError` option: one function for every client.
function logError(error: unknown): void {
  console.error(error);
}
