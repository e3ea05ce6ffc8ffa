/**
 * The ZooKeeper client: every operation as a method returning a promise, all
 * pipelined on one connection, with one-shot watches. Each method validates
 * its arguments and submits a request built in `requests.ts`; watches live in
 * `watch_manager.ts`, connecting and the state stream in `lifecycle.ts`, the
 * settings in `options.ts`. The file runs past 400 lines only because it is
 * the documented surface of some thirty public methods of a few lines each.
 *
 * @module
 */

import { AddWatchMode, DEFAULT_MAX_DATA_SIZE, OpCode } from "../protocol/constants.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import type { ACL, ClientInfo, Stat } from "../protocol/records_data.ts";
import { type Clock, systemClock } from "../session/clock.ts";
import { parseConnectString } from "../session/connect_string.ts";
import type { Request } from "../session/request.ts";
import { Session } from "../session/session.ts";
import type { ConnectionState } from "../session/state.ts";
import { defaultTransport } from "../transport/select.ts";
import type { ClientMetricsRecorder } from "../util/client_metrics.ts";
import { notifyAll } from "../util/notify.ts";
import { OPEN_ACL_UNSAFE } from "./acl.ts";
import { CONFIG_NODE } from "./config.ts";
import { createModeOf } from "./create_mode.ts";
import { stateStream, waitConnected } from "./lifecycle.ts";
import type { EnsembleConfig } from "./config.ts";
import { buildMultiRequest, multiReadResults, multiResults } from "./multi.ts";
import { hostOrder, sessionOptions, toBytes, type ZooKeeperOptions } from "./options.ts";
import { Paths } from "./paths.ts";
import {
  followConfig,
  getConfigRequest,
  type ReconfigOptions,
  reconfigRequest,
} from "./reconfig.ts";
import * as requests from "./requests.ts";
import { restoreWatchRequests } from "./restore.ts";
import type {
  CreateOptions,
  Data,
  DataResult,
  Op,
  OpResult,
  ReadOp,
  ReadResult,
  VersionOptions,
  WatchOptions,
} from "./types.ts";
import type { Watcher, WatchStreamItem } from "./watches.ts";
import { type AddWatchModeName, type WatcherTypeName, WatchManager } from "./watch_manager.ts";

export type { ZooKeeperOptions } from "./options.ts";

const EMPTY = new Uint8Array(0);

/**
 * A ZooKeeper client.
 *
 * @example Create, watch, change
 * ```ts ignore
 * import { ZooKeeper } from "@nd/service-registry";
 * await using zk = await ZooKeeper.connect("127.0.0.1:2181", { sessionTimeout: 10_000 });
 * await zk.create("/app", "hello");
 * const { data } = await zk.getData("/app", { watch: (e) => console.log(e.type, e.path) });
 * await zk.setData("/app", "world");
 * ```
 */
export class ZooKeeper implements AsyncDisposable {
  readonly #session: Session;
  readonly #clock: Clock;
  readonly #paths: Paths;
  readonly #watches: WatchManager;
  readonly #maxDataSize: number;
  readonly #onError: (error: unknown) => void;
  readonly #metrics: ClientMetricsRecorder | undefined;
  readonly #stateListeners = new Set<(state: ConnectionState) => void>();
  // The answers to the credentials of the options, awaited by connect().
  readonly #initialAuth: Promise<void>;

  private constructor(
    session: (zk: ZooKeeper) => Session,
    chroot: string,
    options: ZooKeeperOptions,
  ) {
    this.#paths = new Paths(chroot);
    this.#clock = options.clock ?? systemClock;
    this.#maxDataSize = options.maxDataSize ?? DEFAULT_MAX_DATA_SIZE;
    this.#onError = options.onError ?? ((error) => console.error(error));
    this.#metrics = options.metrics;
    this.#watches = new WatchManager(
      (request) => this.#session.submit(request),
      this.#paths,
      options.watcher,
      this.#onError,
      options.metrics,
      () => this.#session.connected,
    );
    this.#session = session(this);
    const auth = (options.auth ?? []).map((a) => this.#session.addAuth(a.scheme, toBytes(a.auth)));
    this.#initialAuth = Promise.all(auth).then(() => {});
    this.#initialAuth.catch(() => {});
  }

  /**
   * Connects to an ensemble and waits for a session.
   *
   * @param connectString Servers and an optional chroot:
   *   `"host:port,host:port/chroot"`.
   * @param options Session settings.
   * @returns The connected client.
   * @throws {ZooKeeperError} `CONNECTIONLOSS` when no server answers within
   *   `connectTimeout`, `AUTHFAILED` when the credentials are refused.
   */
  static async connect(
    connectString: string,
    options: ZooKeeperOptions = {},
  ): Promise<ZooKeeper> {
    const { hosts, chroot } = parseConnectString(connectString);
    const transport = options.transport ?? await defaultTransport();
    const order = hostOrder(hosts, options.keepHostOrder ?? false);
    const zk = new ZooKeeper(
      (zk) =>
        new Session(sessionOptions(order, transport, options), {
          notification: (event) => zk.#watches.notification(event),
          state: (state) => zk.#onState(state),
          restoreWatches: (zxid) => restoreWatchRequests(zk.#watches.registry, zk.#paths, zxid),
        }),
      chroot,
      options,
    );
    const subscribe = (listener: (state: ConnectionState) => void) => zk.onStateChange(listener);
    const timeout = options.connectTimeout ?? 15_000;
    await waitConnected(zk.#session, subscribe, connectString, timeout, options.signal, {
      ready: zk.#initialAuth,
      clock: zk.#clock,
    });
    if (options.followConfig) {
      followConfig({
        getConfig: (o) => zk.getConfig(o),
        hosts: () => zk.#session.hosts,
        update: (hosts) => zk.#session.updateHosts(hosts),
        onStateChange: subscribe,
        onError: zk.#onError,
      });
    }
    return zk;
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
    return this.#session.sessionId;
  }

  /** The session password: with the id, another client can resume the session. */
  get sessionPassword(): Uint8Array {
    return this.#session.password;
  }

  /** The negotiated session timeout in milliseconds. */
  get sessionTimeout(): number {
    return this.#session.timeout;
  }

  /** The highest zxid seen in a reply. */
  get lastZxid(): bigint {
    return this.#session.lastZxid;
  }

  /**
   * Calls `listener` on every change of connection state.
   *
   * @param listener Receives the new state.
   * @returns A function that removes the listener.
   */
  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /**
   * Creates a node.
   *
   * @param path The node's path; for sequential modes, the prefix of its name.
   * @param data The node's data.
   * @param options Mode, ACL and TTL.
   * @returns The path created (with the sequence number for sequential modes).
   * @throws {ZooKeeperError} `NODEEXISTS`, `NONODE` (no parent),
   *   `NOCHILDRENFOREPHEMERALS`, `INVALIDACL`, `NOAUTH`, `BADARGUMENTS`.
   */
  async create(path: string, data?: Data, options: CreateOptions = {}): Promise<string> {
    return (await this.createWithStat(path, data, options)).path;
  }

  /**
   * Creates a node and returns its Stat too (create2).
   *
   * @param path The node's path.
   * @param data The node's data.
   * @param options Mode, ACL and TTL.
   * @returns The path created and the new node's Stat.
   */
  createWithStat(
    path: string,
    data?: Data,
    options: CreateOptions = {},
  ): Promise<{ path: string; stat: Stat }> {
    return this.#submit(() => {
      const mode = createModeOf(path, options.mode, options.ttl);
      const serverPath = this.#paths.toServer(path, mode.sequential);
      const args = {
        data: this.#data("create", path, data),
        acl: options.acl ?? [...OPEN_ACL_UNSAFE],
        mode,
        ttl: options.ttl,
      };
      return requests.createRequest(path, serverPath, args, (p) => this.#paths.strip(p));
    });
  }

  /**
   * Deletes a node.
   *
   * @param path The node's path.
   * @param options The version it must have.
   * @throws {ZooKeeperError} `NONODE`, `BADVERSION`, `NOTEMPTY`, `NOAUTH`.
   */
  delete(path: string, options: VersionOptions = {}): Promise<void> {
    return this.#at(path, (p) => requests.deleteRequest(path, p, options.version ?? -1));
  }

  /**
   * Reads a node's Stat, or `null` when it does not exist.
   *
   * @param path The node's path.
   * @param options `watch`: fires on the node's creation, deletion or data
   *   change; it is set whether or not the node exists.
   * @returns The Stat, or `null`.
   */
  async exists(path: string, options: WatchOptions = {}): Promise<Stat | null> {
    const onReply = this.#watches.onExistsReply(path, options.watch);
    try {
      return await this.#at(path, (p) => requests.existsRequest(path, p, onReply));
    } catch (error) {
      if (ZooKeeperError.is(error, "NONODE")) return null;
      throw error;
    }
  }

  /**
   * Reads a node's data and Stat.
   *
   * @param path The node's path.
   * @param options `watch`: fires on the node's data change or deletion; set
   *   only when the read succeeds.
   * @returns The data and Stat.
   * @throws {ZooKeeperError} `NONODE`, `NOAUTH`.
   */
  getData(path: string, options: WatchOptions = {}): Promise<DataResult> {
    const onReply = this.#watches.onReply("data", path, options.watch);
    return this.#at(path, (p) => requests.getDataRequest(path, p, onReply));
  }

  /**
   * Writes a node's data.
   *
   * @param path The node's path.
   * @param data The new data.
   * @param options The version it must have.
   * @returns The node's new Stat.
   * @throws {ZooKeeperError} `NONODE`, `BADVERSION`, `NOAUTH`, `BADARGUMENTS`.
   */
  setData(path: string, data: Data, options: VersionOptions = {}): Promise<Stat> {
    return this.#submit(() => {
      const serverPath = this.#paths.toServer(path);
      const bytes = this.#data("write", path, data);
      return requests.setDataRequest(path, serverPath, bytes, options.version ?? -1);
    });
  }

  /**
   * Lists a node's children.
   *
   * @param path The node's path.
   * @param options `watch`: fires when a child is created or deleted, or the
   *   node itself is deleted; set only when the read succeeds.
   * @returns The children's names, unsorted.
   * @throws {ZooKeeperError} `NONODE`, `NOAUTH`.
   */
  async getChildren(path: string, options: WatchOptions = {}): Promise<string[]> {
    const onReply = this.#watches.onReply("child", path, options.watch);
    return await this.#at(path, (p) => requests.getChildrenRequest(path, p, onReply));
  }

  /**
   * Lists a node's children and returns its Stat too (getChildren2).
   *
   * @param path The node's path.
   * @param options `watch`, as for {@linkcode ZooKeeper.getChildren}.
   * @returns The children's names and the node's Stat.
   */
  getChildrenWithStat(
    path: string,
    options: WatchOptions = {},
  ): Promise<{ children: string[]; stat: Stat }> {
    const onReply = this.#watches.onReply("child", path, options.watch);
    return this.#at(path, (p) => requests.getChildren2Request(path, p, onReply));
  }

  /**
   * Reads a node's ACL.
   *
   * @param path The node's path.
   * @returns The ACL and the node's Stat.
   */
  getACL(path: string): Promise<{ acl: ACL[]; stat: Stat }> {
    return this.#at(path, (p) => requests.getACLRequest(path, p));
  }

  /**
   * Replaces a node's ACL.
   *
   * @param path The node's path.
   * @param acl The new ACL.
   * @param options The ACL version (`aversion`) it must have.
   * @returns The node's new Stat.
   */
  setACL(path: string, acl: ACL[], options: VersionOptions = {}): Promise<Stat> {
    return this.#at(path, (p) => requests.setACLRequest(path, p, acl, options.version ?? -1));
  }

  /**
   * Waits until the server this client is connected to has caught up with the
   * leader on `path`, so a following read sees every write committed before.
   *
   * @param path The node's path.
   */
  async sync(path: string): Promise<void> {
    await this.#at(path, (p) => requests.syncRequest(path, p));
  }

  /**
   * Runs operations as one transaction: all succeed or none is applied.
   *
   * @param ops The operations.
   * @returns Each operation's result, in order.
   * @throws {MultiError} When one fails: `index` names it, `results` gives
   *   every operation's code.
   */
  async multi(ops: readonly Op[]): Promise<OpResult[]> {
    const results = await this.#submit(() =>
      requests.multiRequest(OpCode.multi, this.#multiBody(ops))
    );
    return multiResults(results, ops, this.#paths);
  }

  /**
   * Runs reads together, at one point in the server's history; each succeeds
   * or fails on its own.
   *
   * @param ops The reads.
   * @returns Each read's result, in order.
   */
  async multiRead(ops: readonly ReadOp[]): Promise<ReadResult[]> {
    const results = await this.#submit(() =>
      requests.multiRequest(OpCode.multiRead, this.#multiBody(ops))
    );
    return multiReadResults(results, ops);
  }

  /**
   * Lists the ephemeral nodes of this session.
   *
   * @param prefix Only those whose path starts with this.
   * @returns Their paths.
   */
  getEphemerals(prefix = "/"): Promise<string[]> {
    return this.#submit(() =>
      requests.getEphemeralsRequest(
        prefix,
        this.#paths.toServer(prefix),
        (p) => this.#paths.strip(p),
      )
    );
  }

  /**
   * Counts every descendant of a node.
   *
   * @param path The node's path.
   * @returns The number of nodes below it.
   */
  getAllChildrenNumber(path: string): Promise<number> {
    return this.#at(path, (p) => requests.getAllChildrenNumberRequest(path, p));
  }

  /**
   * The identities this session is authenticated as (ZooKeeper 3.9+ servers).
   *
   * @returns One entry per identity.
   */
  whoAmI(): Promise<ClientInfo[]> {
    return this.#session.submit(requests.WHO_AM_I);
  }

  /**
   * Reads the ensemble's configuration (ZooKeeper 3.5+): its members with
   * their roles and ports, and its version. The config node is outside any
   * chroot.
   *
   * @param options `watch`: fires when the config changes.
   * @returns The parsed config.
   */
  getConfig(options: WatchOptions = {}): Promise<EnsembleConfig> {
    const onReply = this.#watches.onReply("data", CONFIG_NODE, options.watch);
    return this.#submit(() => getConfigRequest(onReply));
  }

  /**
   * Changes the ensemble's membership (ZooKeeper 3.5+, `reconfigEnabled=true`;
   * the session needs the super user, or the server `skipACL`).
   *
   * @param options Servers joining and leaving, or the whole new membership;
   *   `fromConfig`, the version the change applies to.
   * @returns The new config.
   * @throws {ZooKeeperError} `RECONFIGINPROGRESS`, `NEWCONFIGNOQUORUM`,
   *   `BADVERSION` (the config moved past `fromConfig`), `RECONFIGDISABLED`,
   *   `NOAUTH`, `BADARGUMENTS`.
   */
  reconfig(options: ReconfigOptions): Promise<EnsembleConfig> {
    return this.#submit(() => reconfigRequest(options));
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
   * Adds credentials to the session; they are sent again on every reconnect.
   *
   * @param scheme The scheme, such as `"digest"`.
   * @param auth The credentials, such as `"user:password"`.
   * @returns Resolves when the server accepts them; a connection lost before
   *   its answer does not reject it, the next connection carries them again.
   * @throws {ZooKeeperError} `AUTHFAILED` when the server refuses them (the
   *   session then ends), `SESSIONEXPIRED` or `CLOSED` when the session ends
   *   before an answer.
   */
  addAuth(scheme: string, auth: Data): Promise<void> {
    return this.#session.addAuth(scheme, toBytes(auth));
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
   */
  addWatch(path: string, mode: AddWatchModeName, listener: Watcher): Promise<void> {
    return this.#submit(() => {
      if (!Object.hasOwn(AddWatchMode, mode)) {
        throw new ZooKeeperError("BADARGUMENTS", `Cannot watch "${path}": unknown mode "${mode}"`, {
          path,
        });
      }
      const onReply = this.#watches.onReply(mode, path, listener);
      return requests.addWatchRequest(
        path,
        this.#paths.toServer(path),
        AddWatchMode[mode],
        onReply,
      );
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
    return this.#watches.remove(path, watcher, type, options.local ?? false);
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
    return this.#watches.remove(path, undefined, type, options.local ?? false);
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
    const subscribe = (listener: (state: ConnectionState) => void) => this.onStateChange(listener);
    return stateStream(this.#session, subscribe, options.signal);
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

  #data(verb: string, path: string, data: Data | undefined): Uint8Array {
    const bytes = toBytes(data ?? EMPTY);
    if (bytes.length > this.#maxDataSize) {
      throw new ZooKeeperError(
        "BADARGUMENTS",
        `Cannot ${verb} "${path}": data of ${bytes.length} bytes exceeds the limit of ${this.#maxDataSize} bytes`,
        { path },
      );
    }
    return bytes;
  }

  #multiBody(ops: readonly (Op | ReadOp)[]): ReturnType<typeof buildMultiRequest> {
    return buildMultiRequest(ops, this.#paths, (verb, path, data) => this.#data(verb, path, data));
  }

  // Validation errors reject the returned promise rather than throw, so every
  // failure of a call reaches the caller the same way.
  #submit<T>(build: () => Request<T>): Promise<T> {
    try {
      return this.#session.submit(build());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // The same, for a request about one node: `build` gets the server's path.
  #at<T>(path: string, build: (serverPath: string) => Request<T>): Promise<T> {
    return this.#submit(() => build(this.#paths.toServer(path)));
  }

  #onState(state: ConnectionState): void {
    this.#metrics?.stateChanged(state.type);
    notifyAll(this.#stateListeners, state, this.#onError);
    this.#watches.sessionEvent(state);
  }
}
