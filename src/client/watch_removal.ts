/**
 * Removing watches (`removeWatches`, `removeAllWatches`): which requests the
 * server needs, in which order, what is removed here and when, and the last
 * `...Removed` event each removed watcher gets.
 *
 * @module
 */

import { ZooKeeperError } from "../protocol/errors.ts";
import { AddWatchMode, type EventTypeName, WatcherType } from "../protocol/constants.ts";
import type { Request } from "../session/request_encoder.ts";
import type { WatchKind } from "../util/client_metrics.ts";
import { typeName } from "../util/type_name.ts";
import type { Chroot } from "./chroot.ts";
import { existsRequest, getChildrenRequest } from "./read_requests.ts";
import { addWatchRequest, removeWatchesRequest } from "./watch_requests.ts";
import {
  WATCH_KINDS,
  type WatchedEvent,
  type Watcher,
  type Watchers,
  type WatchRegistry,
} from "./watch_registry.ts";

/** The watch types `removeWatches` takes. */
export type WatcherTypeName = "data" | "children" | "persistent" | "persistentRecursive" | "any";

/** What the watches need of the session. */
export interface WatchSession {
  /** Sends a request. */
  submit<T>(request: Request<T>): Promise<T>;
  /** Whether requests are being sent now. */
  readonly connected: boolean;
}

/** What removing watches works with. */
export interface RemovalContext {
  /** The watches held. */
  readonly registry: WatchRegistry;
  /** The session the removals go to. */
  readonly session: WatchSession;
  /** Chroot handling. */
  readonly paths: Chroot;
  /** Delivers an event to watchers. */
  deliver(watchers: Watchers, event: WatchedEvent): void;
}

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

/** Removes the watches of one client. */
export class WatchRemoval {
  readonly #ctx: RemovalContext;
  #noPersistentRemoval = false;

  /** @param ctx The watches, the session and the chroot. */
  constructor(ctx: RemovalContext) {
    this.#ctx = ctx;
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
    const serverPath = this.#ctx.paths.toServer(path);
    if (!Object.hasOwn(KINDS_OF_TYPE, type)) {
      throw new ZooKeeperError(
        "BADARGUMENTS",
        `Cannot remove watches on "${path}": unknown type ${
          typeof type === "string" ? `"${type}"` : typeName(type)
        }`,
        { path },
      );
    }
    const registry = this.#ctx.registry;
    const held = KINDS_OF_TYPE[type].filter((k) => registry.has(k, path, watcher));
    if (held.length === 0) throw ZooKeeperError.fromServer("NOWATCHER", "remove watches on", path);
    // Java's `local` removes here even when the server cannot be reached; it
    // still asks the server first, or a persistent watch would keep sending
    // events until the next reconnect. While disconnected there is no one to
    // ask: the next connection restores only the watches held here.
    // Each kind is removed here as the answer that removes it on the server
    // is read, in reply order (Java's finishPacket): a watch set by a later
    // request, answered in the same read, stays. A failure leaves the kinds
    // not removed yet, and reports those that were.
    const gone = new Map<WatchKind, Watchers>();
    const removeHere = (kinds: readonly WatchKind[]) => {
      for (const kind of kinds) {
        if (!held.includes(kind) || gone.has(kind)) continue;
        if (watcher === undefined) gone.set(kind, registry.removeAll(kind, path));
        else gone.set(kind, registry.remove(kind, path, watcher) ? [watcher] : []);
      }
    };
    let failure: unknown;
    try {
      if (!local) await this.#removeOnServer(path, serverPath, watcher, held, removeHere);
      else if (this.#ctx.session.connected) {
        await this.#removeOnServer(path, serverPath, watcher, held, removeHere).catch(() => {});
      }
      removeHere(held);
    } catch (error) {
      failure = error;
    }
    const notified = new Map<Watcher, Set<EventTypeName>>();
    for (const [kind, watchers] of gone) {
      const eventType = REMOVED_EVENT[kind];
      for (const w of watchers) {
        const types = notified.get(w) ?? new Set();
        notified.set(w, types);
        if (types.has(eventType)) continue;
        types.add(eventType);
        this.#ctx.deliver([w], { type: eventType, state: "SyncConnected", path });
      }
    }
    if (failure !== undefined) throw failure;
  }

  // Asks the server to drop only the kinds nobody here watches any more.
  async #removeOnServer(
    path: string,
    serverPath: string,
    watcher: Watcher | undefined,
    held: WatchKind[],
    removeHere: (kinds: readonly WatchKind[]) => void,
  ): Promise<void> {
    const registry = this.#ctx.registry;
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
    // The kinds no request removes on the server go here at once.
    removeHere(held.filter((k) => !serverTypes.has(SERVER_TYPE_OF_KIND[k])));
    const removed = new Set<WatchKind>();
    const send = async (type: number) => {
      const kinds = WATCH_KINDS.filter((k) =>
        type === WatcherType.any || SERVER_TYPE_OF_KIND[k] === type
      );
      await this.#send(path, serverPath, type, () => removeHere(kinds));
      for (const k of kinds) removed.add(k);
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
    return this.#ctx.session.submit(request).catch(() => {});
  }

  #send(path: string, serverPath: string, type: number, onRemoved: () => void): Promise<void> {
    const request = removeWatchesRequest(path, serverPath, type, onRemoved);
    return this.#ctx.session.submit(request).catch((error) => {
      // The server forgets a one-shot watch as it fires it: the notification
      // may still be on its way.
      if (!ZooKeeperError.is(error, "NOWATCHER")) throw error;
    });
  }
}
