/**
 * Everything about watches above the wire: which watchers a notification
 * triggers, delivering events in wire order, session events, removal of
 * watches (with the server's help where it can give it), and persistent
 * watches as async iterators.
 *
 * @module
 */

import { ZooKeeperError } from "../protocol/errors.ts";
import {
  AddWatchMode,
  ErrorCode,
  EventType,
  type EventTypeName,
  KeeperState,
  type KeeperStateName,
  WatcherType,
} from "../protocol/constants.ts";
import type { Request } from "../session/request_encoder.ts";
import { type ConnectionState, endOfKeeperState, isFinal, keeperState } from "../session/state.ts";
import type { ClientMetricsRecorder, WatchKind } from "../util/client_metrics.ts";
import { notifyEach } from "../util/notify.ts";
import { microtask } from "../util/microtask.ts";
import { addWatchRequest, type OnReply, removeWatchesRequest } from "./watch_requests.ts";
import { existsRequest, getChildrenRequest } from "./read_requests.ts";
import { typeName } from "../util/type_name.ts";
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

/** The watch types `removeWatches` takes. */
export type WatcherTypeName = "data" | "children" | "persistent" | "persistentRecursive" | "any";

/** The persistent watch modes `addWatch` takes. */
export type AddWatchModeName = "persistent" | "persistentRecursive";

const KINDS_OF_TYPE: Record<WatcherTypeName, WatchKind[]> = {
  data: ["data", "exist"],
  children: ["child"],
  persistent: ["persistent"],
  persistentRecursive: ["persistentRecursive"],
  any: ["data", "exist", "child", "persistent", "persistentRecursive"],
};

const SERVER_TYPE_OF_KIND: Record<WatchKind, number> = {
  data: WatcherType.data,
  exist: WatcherType.data,
  child: WatcherType.children,
  persistent: WatcherType.persistent,
  persistentRecursive: WatcherType.persistentRecursive,
};

const REMOVED_EVENT: Record<WatchKind, EventTypeName> = {
  data: "DataWatchRemoved",
  exist: "DataWatchRemoved",
  child: "ChildWatchRemoved",
  persistent: "PersistentWatchRemoved",
  persistentRecursive: "PersistentWatchRemoved",
};

const PERSISTENT_KINDS: readonly WatchKind[] = ["persistent", "persistentRecursive"];

const eventNames = new Map<number, EventTypeName>(
  Object.entries(EventType).map(([k, v]) => [v, k as EventTypeName]),
);
const stateNames = new Map<number, KeeperStateName>(
  Object.entries(KeeperState).map(([k, v]) => [v, k as KeeperStateName]),
);

/** What the watches need of the session. */
export interface WatchSession {
  /** Sends a request. */
  submit<T>(request: Request<T>): Promise<T>;
  /** Whether requests are being sent now. */
  readonly connected: boolean;
}

/** The watches of one client. */
export class WatchManager {
  /** The watches held, by kind and path. */
  readonly registry: WatchRegistry;
  readonly #metrics: ClientMetricsRecorder | undefined;
  readonly #session: WatchSession;
  readonly #paths: Chroot;
  readonly #defaultWatcher: Watcher | undefined;
  readonly #onError: (error: unknown) => void;
  #noPersistentRemoval = false;

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
  async remove(
    path: string,
    watcher: Watcher | undefined,
    type: WatcherTypeName,
    local: boolean,
  ): Promise<void> {
    const serverPath = this.#paths.toServer(path);
    if (!Object.hasOwn(KINDS_OF_TYPE, type)) {
      throw new ZooKeeperError(
        "BADARGUMENTS",
        `Cannot remove watches on "${path}": unknown type ${
          typeof type === "string" ? `"${type}"` : typeName(type)
        }`,
        { path },
      );
    }
    const registry = this.registry;
    const held = KINDS_OF_TYPE[type].filter((k) => registry.has(k, path, watcher));
    if (held.length === 0) throw ZooKeeperError.fromServer("NOWATCHER", "remove watches on", path);
    // Java's `local` removes here even when the server cannot be reached; it
    // still asks the server first, or a persistent watch would keep sending
    // events until the next reconnect. While disconnected there is no one to
    // ask: the next connection restores only the watches held here.
    // Removed here as the answer is read, in reply order (Java's finishPacket):
    // a watch set by a later request, answered in the same read, stays.
    let removed: Map<WatchKind, Watchers> | undefined;
    const removeHere = () => {
      if (removed !== undefined) return;
      removed = new Map();
      for (const kind of held) {
        if (watcher === undefined) removed.set(kind, registry.removeAll(kind, path));
        else if (registry.remove(kind, path, watcher)) removed.set(kind, [watcher]);
      }
    };
    if (!local) await this.#removeOnServer(path, serverPath, watcher, held, removeHere);
    else if (this.#session.connected) {
      await this.#removeOnServer(path, serverPath, watcher, held, removeHere).catch(() => {});
    }
    removeHere();
    const notified = new Map<Watcher, Set<EventTypeName>>();
    for (const [kind, watchers] of removed!) {
      const eventType = REMOVED_EVENT[kind];
      for (const w of watchers) {
        const types = notified.get(w) ?? new Set();
        notified.set(w, types);
        if (types.has(eventType)) continue;
        types.add(eventType);
        this.deliver([w], { type: eventType, state: "SyncConnected", path });
      }
    }
  }

  // Asks the server to drop only the kinds nobody here watches any more.
  async #removeOnServer(
    path: string,
    serverPath: string,
    watcher: Watcher | undefined,
    held: WatchKind[],
    removeHere: () => void,
  ): Promise<void> {
    const registry = this.registry;
    const remaining = (kind: WatchKind) =>
      watcher === undefined
        ? 0
        : registry.count(kind, path) - (registry.has(kind, path, watcher) ? 1 : 0);
    const othersOnPath = () =>
      WATCH_KINDS.some((k) => !held.includes(k) && registry.count(k, path) > 0);
    const stays = (kind: WatchKind) =>
      held.includes(kind) ? remaining(kind) > 0 : registry.count(kind, path) > 0;
    // Servers before 3.9 hold one watch per session and path whatever its
    // mode (ZOOKEEPER-4466): removing the data or child watch there removes
    // that half of a persistent watch on the same path too. Seen on 3.8: the
    // persistent watch then gets no more data (or child) events. With a
    // persistent watch staying, the one-shot one is removed here only.
    const persistentStays = stays("persistent") || stays("persistentRecursive");
    const serverTypes = new Set<number>();
    for (const kind of held) {
      const group = kind === "data" || kind === "exist" ? ["data", "exist"] as const : [kind];
      const oneShot = kind === "data" || kind === "exist" || kind === "child";
      if (oneShot && persistentStays) continue;
      if (group.every((k) => remaining(k) === 0)) serverTypes.add(SERVER_TYPE_OF_KIND[kind]);
    }
    const removed = new Set<WatchKind>();
    const send = async (type: number) => {
      await this.#send(path, serverPath, type, removeHere);
      for (const k of WATCH_KINDS) {
        if (type === WatcherType.any || SERVER_TYPE_OF_KIND[k] === type) removed.add(k);
      }
    };
    for (const serverType of serverTypes) {
      const persistentType = serverType === WatcherType.persistent ||
        serverType === WatcherType.persistentRecursive;
      if (persistentType && this.#noPersistentRemoval) {
        // Servers before 3.9 remove persistent watches only with "any", which
        // would take this session's other watches on the path too.
        if (!othersOnPath()) await send(WatcherType.any);
        continue;
      }
      await send(serverType).catch((error) => {
        if (!(persistentType && ZooKeeperError.is(error, "MARSHALLINGERROR"))) throw error;
        this.#noPersistentRemoval = true;
        if (!othersOnPath()) return send(WatcherType.any);
      });
    }
    // A watch whose request was on the wire before the removal, and answered
    // since, was removed on the server too: it is set there again.
    if (watcher === undefined) return;
    const again = new Set<WatchKind>();
    for (const kind of removed) if (stays(kind)) again.add(kind === "exist" ? "data" : kind);
    await Promise.all([...again].map((kind) => this.#rearm(kind, path, serverPath)));
  }

  // Sets a watch of `kind` on the server again, for the watchers held here.
  #rearm(kind: WatchKind, path: string, serverPath: string): Promise<unknown> {
    const watch = () => {};
    const request: Request<unknown> = kind === "persistent" || kind === "persistentRecursive"
      ? addWatchRequest(path, serverPath, AddWatchMode[kind], undefined)
      : kind === "child"
      ? getChildrenRequest(path, serverPath, watch)
      : existsRequest(path, serverPath, watch);
    // Gone meanwhile (a listing of a deleted node), or the connection lost:
    // the server sends the watchers their last event, or the next
    // connection restores the watches held here.
    return this.#session.submit(request).catch(() => {});
  }

  #send(path: string, serverPath: string, type: number, onRemoved: () => void): Promise<void> {
    const request = removeWatchesRequest(path, serverPath, type, onRemoved);
    return this.#session.submit(request).catch((error) => {
      // The server forgets a one-shot watch as it fires it: the notification
      // may still be on its way.
      if (!ZooKeeperError.is(error, "NOWATCHER")) throw error;
    });
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
