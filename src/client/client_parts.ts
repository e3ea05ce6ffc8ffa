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
import { Session } from "../session/session.ts";
import type { ConnectionState } from "../session/state.ts";
import { notifyAll } from "../util/notify.ts";
import { checkAuth } from "./arguments.ts";
import { CallGate } from "./call_gate.ts";
import { Chroot } from "./chroot.ts";
import type { ConnectSettings } from "./connect_settings.ts";
import type { ZooKeeperOptions } from "./options.ts";
import type { Subscribe } from "./state_stream.ts";
import { WatchManager } from "./watch_manager.ts";
import { restoreWatchRequests } from "./watch_restore.ts";

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
  /** Adds a listener of state changes; returns its removal. */
  readonly subscribe: Subscribe;
  /** The answers to the credentials of the options, awaited by connect. */
  readonly initialAuth: Promise<void>;
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
  const metrics = options.metrics;
  // Made for the first listener and dropped with the last: a connected client
  // has none of its own.
  let listeners: Set<(state: ConnectionState) => void> | undefined;
  const session = new Session(settings.session);
  const watches = new WatchManager(session, paths, options.watcher, onError, metrics);
  session.start({
    notification: (type, state, path) => watches.notification(type, state, path),
    state: (state) => {
      metrics?.stateChanged(state.type);
      if (listeners !== undefined) notifyAll(listeners, state, onError);
      watches.sessionEvent(state);
    },
    restoreWatches: (zxid) => restoreWatchRequests(watches.registry, paths, zxid),
    warning: (error) => onError(error),
  });
  const gate = new CallGate({
    session,
    paths,
    requestTimeout: options.requestTimeout,
    callerStacks: options.callerStacks ?? true,
  });
  const initialAuth = Promise.all(credentials.map((c) => session.addAuth(c.scheme, c.auth)))
    .then(() => {});
  initialAuth.catch(() => {});
  return {
    session,
    clock: settings.session.clock,
    paths,
    watches,
    gate,
    maxDataSize: options.maxDataSize ?? DEFAULT_MAX_DATA_SIZE,
    onError,
    subscribe: (listener) => {
      const set = listeners ??= new Set();
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners === set) listeners = undefined;
      };
    },
    initialAuth,
  };
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
