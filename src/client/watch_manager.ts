/**
 * Everything about watches above the wire: which watchers a notification
 * triggers, delivering events in wire order, session events, removal of
 * watches (through `watch_removal.ts`), and persistent watches as async
 * iterators.
 *
 * @module
 */

import { ZooKeeperError } from "../protocol/errors.ts";
import {
  ErrorCode,
  EventType,
  type EventTypeName,
  KeeperState,
  type KeeperStateName,
} from "../protocol/constants.ts";
import { type ConnectionState, endOfKeeperState, isFinal, keeperState } from "../session/state.ts";
import type { ClientMetricsRecorder, WatchKind } from "../util/client_metrics.ts";
import { notifyEach } from "../util/notify.ts";
import { microtask } from "../util/microtask.ts";
import type { OnReply } from "./watch_requests.ts";
import { AsyncQueue } from "./async_queue.ts";
import { CONFIG_NODE, CONFIG_WATCH_KEY } from "./config.ts";
import type { Chroot } from "./chroot.ts";
import {
  WATCH_KINDS,
  type WatchedEvent,
  type Watcher,
  type Watchers,
  WatchRegistry,
  type WatchStreamItem,
} from "./watch_registry.ts";
import { type WatcherTypeName, WatchRemoval, type WatchSession } from "./watch_removal.ts";

export type { WatcherTypeName, WatchSession } from "./watch_removal.ts";

/** The persistent watch modes `addWatch` takes. */
export type AddWatchModeName = "persistent" | "persistentRecursive";

const PERSISTENT_KINDS: readonly WatchKind[] = ["persistent", "persistentRecursive"];

const eventNames = new Map<number, EventTypeName>(
  Object.entries(EventType).map(([k, v]) => [v, k as EventTypeName]),
);
const stateNames = new Map<number, KeeperStateName>(
  Object.entries(KeeperState).map(([k, v]) => [v, k as KeeperStateName]),
);

/** The watches of one client. */
export class WatchManager {
  /** The watches held, by kind and path. */
  readonly registry: WatchRegistry;
  readonly #metrics: ClientMetricsRecorder | undefined;
  readonly #session: WatchSession;
  readonly #paths: Chroot;
  readonly #defaultWatcher: Watcher | undefined;
  readonly #onError: (error: unknown) => void;
  readonly #removal: WatchRemoval;

  /**
   * @param session The session the watches' requests go to.
   * @param paths Chroot handling.
   * @param defaultWatcher Receives every session event.
   * @param onError Receives errors thrown by watchers.
   * @param metrics Told of the watches held and the events delivered.
   */
  constructor(
    session: WatchSession,
    paths: Chroot,
    defaultWatcher: Watcher | undefined,
    onError: (error: unknown) => void,
    metrics?: ClientMetricsRecorder,
  ) {
    this.#session = session;
    this.#metrics = metrics;
    this.registry = new WatchRegistry(
      metrics && ((kind, count) => metrics.watchesHeld(kind, count)),
    );
    this.#paths = paths;
    this.#defaultWatcher = defaultWatcher;
    this.#onError = onError;
    this.#removal = new WatchRemoval({
      registry: this.registry,
      session,
      paths,
      deliver: (watchers, event) => this.deliver(watchers, event),
    });
  }

  /**
   * The reply hook that records a watch once the read that asked for it
   * succeeds, or none when there is no watcher.
   *
   * @param kind The kind of watch.
   * @param path The user's path.
   * @param watcher The watcher.
   * @returns The hook for the request's `onReply`.
   */
  onReply(kind: WatchKind, path: string, watcher: Watcher | undefined): OnReply {
    if (watcher === undefined) return undefined;
    return (err) => {
      if (err === 0) this.registry.add(kind, path, watcher);
    };
  }

  /**
   * The reply hook of `exists`: a data watch when the node is there, an exist
   * watch when it is not (`ZKWatchManager`'s ExistsWatchRegistration).
   *
   * @param path The user's path.
   * @param watcher The watcher.
   * @returns The hook for the request's `onReply`.
   */
  onExistsReply(path: string, watcher: Watcher | undefined): OnReply {
    if (watcher === undefined) return undefined;
    return (err) => {
      if (err === 0) this.registry.add("data", path, watcher);
      else if (err === ErrorCode.NONODE) this.registry.add("exist", path, watcher);
    };
  }

  /**
   * Delivers a notification from the server to the watchers it triggers.
   *
   * @param eventType The WatcherEvent's type.
   * @param keeperState The WatcherEvent's state.
   * @param serverPath The WatcherEvent's path, with the chroot.
   */
  notification(eventType: number, keeperState: number, serverPath: string): void {
    const type = eventNames.get(eventType) ?? "None";
    const state = stateNames.get(keeperState) ?? "Unknown";
    if (serverPath === CONFIG_NODE) {
      // getConfig's watches, under their own key; under a chroot the node is
      // outside it, and no user path names it.
      const config = type === "NodeChildrenChanged"
        ? []
        : this.registry.removeAll("data", CONFIG_WATCH_KEY);
      if (config.length > 0) this.deliver(config, { type, state, path: CONFIG_NODE });
      if (this.#paths.prefix("/") !== "/") return;
    }
    const path = this.#paths.strip(serverPath);
    const watchers = this.registry.trigger(type, path);
    if (watchers.length > 0) this.deliver(watchers, { type, state, path });
  }

  /**
   * Delivers a change of connection state as a session event to the default
   * watcher and the persistent watchers; one-shot watchers get only the final
   * state, their last event. A final state forgets every watch.
   */
  sessionEvent(state: ConnectionState): void {
    if (state.type === "connecting") return;
    // The Java client sends every session event to every watcher, and its
    // users filter them out of one-shot watchers by hand. Here a one-shot
    // watcher hears of the session once: when its watch can no longer fire.
    // Persistent watchers still hear of each change: the server replays
    // nothing to them after a reconnect, and SyncConnected is their cue to
    // read again.
    const final = isFinal(state);
    const watchers = this.registry.all(final ? WATCH_KINDS : PERSISTENT_KINDS);
    if (this.#defaultWatcher !== undefined) watchers.add(this.#defaultWatcher);
    if (isFinal(state)) this.registry.clear();
    this.deliver([...watchers], { type: "None", state: keeperState(state), path: "" });
  }

  // Watchers run as microtasks queued in wire order, interleaved with the
  // continuations of replies resolved by the same frames: a watcher sees its
  // event before any later read observes the change.
  /**
   * Calls each watcher with the event, catching what it throws.
   *
   * @param watchers The watchers, a list nobody changes.
   * @param event The event.
   */
  deliver(watchers: Watchers, event: WatchedEvent): void {
    if (watchers.length === 0) return;
    this.#metrics?.eventDelivered(event.type);
    microtask(() => notifyEach(watchers, event, this.#onError));
  }

  /**
   * Removes watches of `type` on `path`: one watcher's, or all of them when
   * `watcher` is undefined. Each removed watcher gets a last `...Removed` event.
   */
  remove(
    path: string,
    watcher: Watcher | undefined,
    type: WatcherTypeName,
    local: boolean,
  ): Promise<void> {
    return this.#removal.remove(path, watcher, type, local);
  }

  /**
   * A persistent watch read as an async iterator.
   *
   * @param path The watched path.
   * @param recursive Whether every node below it is watched too.
   * @param signal Ends the iteration.
   * @param add Sets the watch (the client's `addWatch`).
   * @returns The events.
   */
  iterate(
    path: string,
    recursive: boolean,
    signal: AbortSignal | undefined,
    add: (path: string, mode: AddWatchModeName, listener: Watcher) => Promise<void>,
  ): AsyncIterableIterator<WatchStreamItem> {
    const mode = recursive ? "persistentRecursive" : "persistent";
    let away = false;
    const listener: Watcher = (event) => {
      if (event.type !== "None") return queue.push(event);
      if (event.state === "Disconnected") away = true;
      else if (away && (event.state === "SyncConnected" || event.state === "ConnectedReadOnly")) {
        away = false;
        queue.push({ type: "reconnected" });
      }
      const end = endOfKeeperState(event.state);
      if (end === "CLOSED") queue.end();
      else if (end !== undefined) queue.end(ZooKeeperError.fromServer(end, "watch", path));
    };
    const release = () => {
      if (!this.registry.has(mode, path, listener)) return;
      this.remove(path, listener, mode, false).catch(() =>
        this.remove(path, listener, mode, true).catch(() => {})
      );
    };
    const onAbort = () => queue.end();
    const queue = new AsyncQueue<WatchStreamItem>(() => {
      signal?.removeEventListener("abort", onAbort);
      release();
    });
    if (signal?.aborted) {
      queue.end();
      return queue;
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    add(path, mode, listener).then(() => {
      // The reader may have stopped before the server confirmed the watch.
      if (queue.ended) release();
    }, (error) => queue.end(error));
    return queue;
  }
}
