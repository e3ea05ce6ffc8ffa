/**
 * The session side of the client, which `ZooKeeper` extends with connecting
 * and the operations on nodes: the session's state and what follows it (the
 * state listeners, the state stream), its credentials, the ensemble it
 * talks to, the watches it holds, and its end. The parts it works with are
 * made in `client_parts.ts`.
 *
 * @module
 */

import type { ClientInfo } from "../protocol/records_data.ts";
import type { CallOptions } from "../session/call.ts";
import type { Clock } from "../session/clock.ts";
import { parseConnectString } from "../session/connect_string.ts";
import type { Session } from "../session/session.ts";
import type { ConnectionState } from "../session/state.ts";
import { typeName } from "../util/type_name.ts";
import {
  badArgument,
  checkAuth,
  checkCall,
  checkOptions,
  checkWatcher,
  type Subject,
} from "./arguments.ts";
import type { CallGate } from "./call_gate.ts";
import type { Chroot } from "./chroot.ts";
import type { ClientParts, StateListeners } from "./client_parts.ts";
import { CONFIG_NODE, CONFIG_WATCH_KEY, type EnsembleConfig, parseConfigData } from "./config.ts";
import { getConfigRequest, type ReconfigOptions, reconfigRequest } from "./reconfig.ts";
import { WHO_AM_I } from "./read_requests.ts";
import { stateStream } from "./state_stream.ts";
import type { Data, WatchOptions } from "./types.ts";
import type { Watcher, WatchStreamItem } from "./watch_registry.ts";
import type { AddWatchModeName, WatcherTypeName, WatchManager } from "./watch_manager.ts";
import { addWatchRequest, checkAddWatch } from "./watch_requests.ts";

const CONFIG_SUBJECT: Subject = { verb: "read the config", path: CONFIG_NODE };
const STATES: Subject = { verb: "follow the states" };

/**
 * What every `ZooKeeper` client has besides its operations on nodes: the
 * session's state, credentials and servers, the ensemble's config,
 * persistent watches and watch removal, closing. Only `ZooKeeper.connect`
 * makes clients.
 */
export abstract class ZooKeeperCore implements AsyncDisposable {
  readonly #session: Session;
  readonly #clock: Clock;
  readonly #paths: Chroot;
  readonly #watches: WatchManager;
  readonly #gate: CallGate;
  readonly #stateListeners: StateListeners;

  /**
   * Not for use: `ZooKeeper.connect` makes clients.
   *
   * @param parts The client's session and what goes with it.
   */
  protected constructor(parts: ClientParts) {
    this.#session = parts.session;
    this.#clock = parts.clock;
    this.#paths = parts.paths;
    this.#watches = parts.watches;
    this.#gate = parts.gate;
    this.#stateListeners = parts.states;
  }

  /**
   * The clock of this client's timers (the `clock` option, real time by
   * default): what builds on the client, such as locks and retries, waits
   * on it too.
   */
  get clock(): Clock {
    return this.#clock;
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.#session.state;
  }

  /** Whether requests are being sent now. */
  get connected(): boolean {
    return this.#session.connected;
  }

  /** The session id. */
  get sessionId(): bigint {
    return this.#session.identity.sessionId;
  }

  /** The session password: with the id, another client can resume the session. */
  get sessionPassword(): Uint8Array {
    return this.#session.identity.password;
  }

  /** The negotiated session timeout in milliseconds. */
  get sessionTimeout(): number {
    return this.#session.identity.timeout;
  }

  /** The highest zxid seen in a reply. */
  get lastZxid(): bigint {
    return this.#session.identity.lastZxid;
  }

  /**
   * Calls `listener` on every change of connection state.
   *
   * @param listener Receives the new state.
   * @returns A function that removes the listener.
   */
  onStateChange(listener: (state: ConnectionState) => void): () => void {
    return this.#stateListeners.subscribe(listener);
  }

  /**
   * Yields every change of connection state, ending after a final state
   * (`closed`, `expired`, `authFailed`) or when `signal` aborts.
   *
   * @param options `signal`: stops the iteration.
   * @returns The states.
   *
   * @example Logging connection changes
   * ```ts ignore
   * for await (const state of zk.states()) console.log(state.type);
   * ```
   */
  states(
    options: { signal?: AbortSignal | undefined } = {},
  ): AsyncIterableIterator<ConnectionState> {
    const checked = checkCall(STATES, checkOptions(STATES, options), undefined);
    return stateStream(this.#session, (l) => this.#stateListeners.subscribe(l), checked?.signal);
  }

  /**
   * Adds credentials to the session; they are sent again on every reconnect.
   *
   * @param scheme The scheme, such as `"digest"`.
   * @param auth The credentials, such as `"user:password"`.
   * @returns Resolves when the server accepts them; a connection lost before
   *   its answer does not reject it, the next connection carries them again.
   * @throws {ZooKeeperError} `AUTHFAILED` when the server refuses them (the
   *   session then ends), `SESSIONEXPIRED` or `CLOSED` when the session ends
   *   before an answer, `BADARGUMENTS` for a scheme that is not a string or
   *   credentials neither a string nor a `Uint8Array`.
   */
  addAuth(scheme: string, auth: Data): Promise<void> {
    try {
      return this.#session.addAuth(scheme, checkAuth({ verb: "authenticate" }, scheme, auth));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The identities this session is authenticated as (ZooKeeper 3.9+ servers).
   *
   * @param options `signal` and `timeout`.
   * @returns One entry per identity.
   */
  whoAmI(options?: CallOptions): Promise<ClientInfo[]> {
    return this.#gate.call(WHO_AM_I.verb, undefined, options, () => WHO_AM_I);
  }

  /**
   * Replaces the servers this client connects to, moving to another one with
   * the Java client's rule: only as often as keeps the load even across the
   * new list, and always when its server left. The session, its watches and
   * queued calls move with it.
   *
   * @param connectString The new servers (a chroot in it is ignored).
   * @returns Whether the client is moving to another server.
   * @throws {ZooKeeperError} `BADARGUMENTS` for a malformed connect string.
   */
  updateServerList(connectString: string): boolean {
    return this.#session.updateHosts(parseConnectString(connectString).hosts);
  }

  /**
   * Reads the ensemble's configuration (ZooKeeper 3.5+): its members with
   * their roles and addresses, and its version. The config node is outside
   * any chroot.
   *
   * @param options `watch`: fires when the config changes; `signal` and
   *   `timeout`.
   * @returns The parsed config.
   * @throws {ZooKeeperError} `MARSHALLINGERROR` when the config's text cannot
   *   be read (this call only: the connection goes on).
   */
  async getConfig(options?: WatchOptions): Promise<EnsembleConfig> {
    const reply = await this.#gate.call(CONFIG_SUBJECT.verb, CONFIG_NODE, options, (o, subject) => {
      const watcher = checkWatcher(subject, o.watch);
      const onReply = this.#watches.onReply("data", CONFIG_WATCH_KEY, watcher);
      return getConfigRequest(onReply);
    });
    return parseConfigData(reply);
  }

  /**
   * Changes the ensemble's membership (ZooKeeper 3.5+, `reconfigEnabled=true`;
   * the session needs the super user, or the server `skipACL`).
   *
   * @param options Servers joining and leaving, or the whole new membership;
   *   `fromConfig`, the version the change applies to; `signal` and `timeout`.
   * @returns The new config.
   * @throws {ZooKeeperError} `RECONFIGINPROGRESS`, `NEWCONFIGNOQUORUM`,
   *   `BADVERSION` (the config moved past `fromConfig`), `RECONFIGDISABLED`,
   *   `NOAUTH`, `BADARGUMENTS`.
   */
  async reconfig(options: ReconfigOptions): Promise<EnsembleConfig> {
    const reply = await this.#gate.call(
      "reconfigure",
      undefined,
      options,
      (o) => reconfigRequest(o),
    );
    return parseConfigData(reply);
  }

  /**
   * Sets a persistent watch (ZooKeeper 3.6+): unlike one-shot watches it
   * stays after firing and is restored after a reconnect.
   *
   * - `persistent`: fires for the node's creation, deletion, data change and
   *   child-list change.
   * - `persistentRecursive`: fires for the creation, deletion and data change
   *   of the node and of every node below it (no child-list events).
   *
   * @param path The node's path; it need not exist.
   * @param mode The kind of persistent watch.
   * @param listener Called with every event, and with session events.
   * @param options `signal` and `timeout`.
   */
  addWatch(
    path: string,
    mode: AddWatchModeName,
    listener: Watcher,
    options?: CallOptions,
  ): Promise<void> {
    return this.#gate.call("watch", path, options, (_, subject) => {
      const serverPath = this.#paths.toServer(path);
      const modeValue = checkAddWatch(subject, mode, listener);
      const onReply = this.#watches.onReply(mode, path, listener);
      return addWatchRequest(path, serverPath, modeValue, onReply);
    });
  }

  /**
   * Removes one watcher from a path. The watcher receives a last event,
   * `DataWatchRemoved`, `ChildWatchRemoved` or `PersistentWatchRemoved`.
   *
   * @param path The watched path.
   * @param watcher The function that was registered.
   * @param type Which of its watches to remove: `data` (data and exist
   *   watches), `children`, `persistent`, `persistentRecursive` or `any`.
   * @param options `local`: remove it here even when the server cannot be
   *   reached (the server is still asked first, as Java does).
   * @throws {ZooKeeperError} `NOWATCHER` when the watcher is not set there.
   */
  removeWatches(
    path: string,
    watcher: Watcher,
    type: WatcherTypeName = "any",
    options: { local?: boolean | undefined } = {},
  ): Promise<void> {
    // Without a watcher, every watcher on the path would go.
    if (typeof watcher !== "function") {
      return Promise.reject(
        badArgument(
          { verb: "remove watches on", path },
          `watcher must be a function, not ${typeName(watcher)}`,
        ),
      );
    }
    return this.#watches.remove(path, watcher, type, options?.local === true);
  }

  /**
   * Removes every watcher of a type from a path; each receives a last
   * `...WatchRemoved` event.
   *
   * @param path The watched path.
   * @param type Which watches to remove.
   * @param options `local`: remove them here even when the server cannot be
   *   reached.
   * @throws {ZooKeeperError} `NOWATCHER` when no such watch is set there.
   */
  removeAllWatches(
    path: string,
    type: WatcherTypeName = "any",
    options: { local?: boolean | undefined } = {},
  ): Promise<void> {
    return this.#watches.remove(path, undefined, type, options?.local === true);
  }

  /**
   * Watches a path persistently and yields its events until the loop breaks,
   * `signal` aborts or the client closes. The iterator throws `SESSIONEXPIRED`
   * or `AUTHFAILED` when the session ends that way. Events are queued, never
   * dropped, however slowly the loop reads them. After every reconnect it
   * yields `{ type: "reconnected" }`: the server replays nothing to
   * persistent watches, so what changed while the client was away went
   * unseen; read the watched nodes again.
   *
   * @param path The node's path.
   * @param options `recursive`: also every node below it.
   * @returns The events, and a `reconnected` item after each reconnect.
   *
   * @example Following every change under a path
   * ```ts ignore
   * for await (const event of zk.watch("/services", { recursive: true })) {
   *   if (event.type === "reconnected") console.log("read /services again");
   *   else console.log(event.type, event.path);
   * }
   * ```
   */
  watch(
    path: string,
    options: { recursive?: boolean | undefined; signal?: AbortSignal | undefined } = {},
  ): AsyncIterableIterator<WatchStreamItem> {
    return this.#watches.iterate(
      path,
      options.recursive ?? false,
      options.signal,
      (p, mode, listener) => this.addWatch(p, mode, listener),
    );
  }

  /**
   * Closes the session: its ephemeral nodes are deleted and its watches
   * removed. Calls made afterwards reject with `CLOSED`.
   */
  async close(): Promise<void> {
    await this.#session.close();
  }

  /** Closes the session, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
