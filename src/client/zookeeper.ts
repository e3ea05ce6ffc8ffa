/**
 * The ZooKeeper client: every operation as a method returning a promise, all
 * pipelined on one connection, with one-shot watches. Each method validates
 * its arguments and submits, through `call_gate.ts`, a request built in
 * `read_requests.ts`, `write_requests.ts` or `watch_requests.ts`; watches
 * live in `watch_manager.ts`, connecting and the state stream in
 * `connect_settings.ts` and `state_stream.ts`, the settings in `options.ts`.
 * The file runs past 400 lines only because it is the documented surface of
 * some thirty public methods of a few lines each.
 *
 * @module
 */

import { DEFAULT_MAX_DATA_SIZE, OpCode } from "../protocol/constants.ts";
import type { ACL, ClientInfo, Stat } from "../protocol/records_data.ts";
import type { CallOptions } from "../session/call.ts";
import type { Clock } from "../session/clock.ts";
import { clockOption } from "../util/clock.ts";
import { parseConnectString } from "../session/connect_string.ts";
import { Session } from "../session/session.ts";
import type { ConnectionState } from "../session/state.ts";
import type { ClientMetricsRecorder } from "../util/client_metrics.ts";
import { notifyAll } from "../util/notify.ts";
import { OPEN_ACL_UNSAFE } from "./acl.ts";
import {
  checkAcl,
  checkAuth,
  checkData,
  checkVersion,
  checkWatcher,
  type Subject,
  toBytes,
} from "./arguments.ts";
import { CallGate } from "./call_gate.ts";
import { CONFIG_NODE, CONFIG_WATCH_KEY, parseConfigData } from "./config.ts";
import { connectSettings } from "./connect_settings.ts";
import { createModeOf } from "./create_mode.ts";
import { stateStream, waitConnected } from "./state_stream.ts";
import type { EnsembleConfig } from "./config.ts";
import { buildMultiRequest, multiReadResults, multiResults } from "./multi.ts";
import type { ZooKeeperOptions } from "./options.ts";
import { Chroot } from "./chroot.ts";
import {
  followConfig,
  getConfigRequest,
  type ReconfigOptions,
  reconfigRequest,
} from "./reconfig.ts";
import * as reads from "./read_requests.ts";
import * as watchRequests from "./watch_requests.ts";
import * as writes from "./write_requests.ts";
import { restoreWatchRequests } from "./watch_restore.ts";
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
import type { Watcher, WatchStreamItem } from "./watch_registry.ts";
import { type AddWatchModeName, type WatcherTypeName, WatchManager } from "./watch_manager.ts";

export type { ZooKeeperOptions } from "./options.ts";

// Only ZooKeeper.connect makes clients.
const CONNECT: unique symbol = Symbol("ZooKeeper.connect");
const CONFIG_SUBJECT: Subject = { verb: "read the config", path: CONFIG_NODE };

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
  readonly #paths: Chroot;
  readonly #watches: WatchManager;
  readonly #maxDataSize: number;
  readonly #onError: (error: unknown) => void;
  readonly #metrics: ClientMetricsRecorder | undefined;
  readonly #gate: CallGate;
  readonly #stateListeners = new Set<(state: ConnectionState) => void>();
  // The answers to the credentials of the options, awaited by connect().
  readonly #initialAuth: Promise<void>;

  /**
   * Not for use: {@linkcode ZooKeeper.connect} makes clients.
   *
   * @param session Makes the session.
   * @param chroot The chroot.
   * @param options Settings.
   * @param token Proof that `ZooKeeper.connect` is the caller.
   * @throws {TypeError} Always, when called directly.
   */
  private constructor(
    session: (zk: ZooKeeper) => Session,
    chroot: string,
    options: ZooKeeperOptions,
    token?: typeof CONNECT,
  ) {
    // A client is a session, which a constructor cannot wait for.
    if (token !== CONNECT) {
      throw new TypeError(
        "ZooKeeper has no public constructor: use `await ZooKeeper.connect(connectString, options)`",
      );
    }
    this.#paths = new Chroot(chroot);
    this.#clock = clockOption(options.clock);
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
    this.#gate = new CallGate({
      session: this.#session,
      paths: this.#paths,
      requestTimeout: options.requestTimeout,
      callerStacks: options.callerStacks ?? true,
    });
    const auth = (options.auth ?? []).map((a) =>
      this.#session.addAuth(a.scheme, toBytes({ verb: "authenticate" }, "auth", a.auth))
    );
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
   * @throws {TypeError} When `clock` is not a clock, before connecting.
   */
  static async connect(
    connectString: string,
    options: ZooKeeperOptions = {},
  ): Promise<ZooKeeper> {
    const { chroot, session: settings } = await connectSettings(connectString, options);
    const zk = new ZooKeeper(
      (zk) =>
        new Session(settings, {
          notification: (type, state, path) => zk.#watches.notification(type, state, path),
          state: (state) => zk.#onState(state),
          restoreWatches: (zxid) => restoreWatchRequests(zk.#watches.registry, zk.#paths, zxid),
          warning: (error) => zk.#onError(error),
        }),
      chroot,
      options,
      CONNECT,
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
        clock: settings.clock,
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
   * @param data The node's data: a string (sent as UTF-8) or a `Uint8Array`.
   * @param options Mode, ACL and TTL; `signal` and `timeout`.
   * @returns The path created (with the sequence number for sequential modes).
   * @throws {ZooKeeperError} `NODEEXISTS`, `NONODE` (no parent),
   *   `NOCHILDRENFOREPHEMERALS`, `INVALIDACL`, `NOAUTH`, `BADARGUMENTS`,
   *   `OPERATIONTIMEOUT`.
   */
  async create(path: string, data?: Data, options?: CreateOptions): Promise<string> {
    return (await this.createWithStat(path, data, options)).path;
  }

  /**
   * Creates a node and returns its Stat too (create2).
   *
   * @param path The node's path.
   * @param data The node's data.
   * @param options Mode, ACL and TTL; `signal` and `timeout`.
   * @returns The path created and the new node's Stat.
   */
  createWithStat(
    path: string,
    data?: Data,
    options?: CreateOptions,
  ): Promise<{ path: string; stat: Stat }> {
    return this.#gate.call("create", path, options, (o, subject) => {
      const mode = createModeOf(path, o.mode, o.ttl);
      const serverPath = this.#paths.toServer(path, mode.sequential);
      const args = {
        data: checkData(subject, data, this.#maxDataSize),
        acl: o.acl === undefined ? [...OPEN_ACL_UNSAFE] : checkAcl(subject, o.acl),
        mode,
        ttl: o.ttl,
      };
      return writes.createRequest(path, serverPath, args, (p) => this.#paths.strip(p));
    });
  }

  /**
   * Deletes a node.
   *
   * @param path The node's path.
   * @param options `version`: the version it must have (-1, the default, for
   *   any); `signal` and `timeout`.
   * @throws {ZooKeeperError} `NONODE`, `BADVERSION`, `NOTEMPTY`, `NOAUTH`.
   */
  delete(path: string, options?: VersionOptions): Promise<void> {
    return this.#gate.call("delete", path, options, (o, subject) => {
      const version = checkVersion(subject, o.version);
      return writes.deleteRequest(path, this.#paths.toServer(path), version);
    });
  }

  /**
   * Reads a node's Stat, or `null` when it does not exist.
   *
   * @param path The node's path.
   * @param options `watch`: fires on the node's creation, deletion or data
   *   change; it is set whether or not the node exists. `signal` and `timeout`.
   * @returns The Stat, or `null`.
   */
  exists(path: string, options?: WatchOptions): Promise<Stat | null> {
    // A missing node is an answer, not a failure: the reply is null, with no
    // error made and caught on the way.
    return this.#gate.call("check", path, options, (o, subject) => {
      const onReply = this.#watches.onExistsReply(path, checkWatcher(subject, o.watch));
      return reads.existsRequest(path, this.#paths.toServer(path), onReply);
    });
  }

  /**
   * Reads a node's data and Stat.
   *
   * @param path The node's path.
   * @param options `watch`: fires on the node's data change or deletion; set
   *   only when the read succeeds. `signal` and `timeout`.
   * @returns The data and Stat.
   * @throws {ZooKeeperError} `NONODE`, `NOAUTH`.
   */
  getData(path: string, options?: WatchOptions): Promise<DataResult> {
    return this.#gate.call("read", path, options, (o, subject) => {
      const onReply = this.#watches.onReply("data", path, checkWatcher(subject, o.watch));
      return reads.getDataRequest(path, this.#paths.toServer(path), onReply);
    });
  }

  /**
   * Writes a node's data.
   *
   * @param path The node's path.
   * @param data The new data: a string (sent as UTF-8) or a `Uint8Array`.
   * @param options `version`: the version it must have (-1, the default, for
   *   any); `signal` and `timeout`.
   * @returns The node's new Stat.
   * @throws {ZooKeeperError} `NONODE`, `BADVERSION`, `NOAUTH`, `BADARGUMENTS`.
   */
  setData(path: string, data: Data, options?: VersionOptions): Promise<Stat> {
    return this.#gate.call("write", path, options, (o, subject) => {
      const serverPath = this.#paths.toServer(path);
      const bytes = checkData(subject, data, this.#maxDataSize);
      const version = checkVersion(subject, o.version);
      return writes.setDataRequest(path, serverPath, bytes, version);
    });
  }

  /**
   * Lists a node's children.
   *
   * @param path The node's path.
   * @param options `watch`: fires when a child is created or deleted, or the
   *   node itself is deleted; set only when the read succeeds. `signal` and
   *   `timeout`.
   * @returns The children's names, unsorted.
   * @throws {ZooKeeperError} `NONODE`, `NOAUTH`.
   */
  getChildren(path: string, options?: WatchOptions): Promise<string[]> {
    return this.#gate.call("list children of", path, options, (o, subject) => {
      const onReply = this.#watches.onReply("child", path, checkWatcher(subject, o.watch));
      return reads.getChildrenRequest(path, this.#paths.toServer(path), onReply);
    });
  }

  /**
   * Lists a node's children and returns its Stat too (getChildren2).
   *
   * @param path The node's path.
   * @param options `watch`, as for {@linkcode ZooKeeper.getChildren};
   *   `signal` and `timeout`.
   * @returns The children's names and the node's Stat.
   */
  getChildrenWithStat(
    path: string,
    options?: WatchOptions,
  ): Promise<{ children: string[]; stat: Stat }> {
    return this.#gate.call("list children of", path, options, (o, subject) => {
      const onReply = this.#watches.onReply("child", path, checkWatcher(subject, o.watch));
      return reads.getChildren2Request(path, this.#paths.toServer(path), onReply);
    });
  }

  /**
   * Reads a node's ACL.
   *
   * @param path The node's path.
   * @param options `signal` and `timeout`.
   * @returns The ACL and the node's Stat.
   */
  getACL(path: string, options?: CallOptions): Promise<{ acl: ACL[]; stat: Stat }> {
    return this.#gate.call("read the ACL of", path, options, () => {
      return reads.getACLRequest(path, this.#paths.toServer(path));
    });
  }

  /**
   * Replaces a node's ACL.
   *
   * @param path The node's path.
   * @param acl The new ACL: entries with integer `perms` within 0..31 and a
   *   string `id.scheme` and `id.id`.
   * @param options `version`: the ACL version (`aversion`) it must have (-1,
   *   the default, for any); `signal` and `timeout`.
   * @returns The node's new Stat.
   */
  setACL(path: string, acl: ACL[], options?: VersionOptions): Promise<Stat> {
    return this.#gate.call("set the ACL of", path, options, (o, subject) => {
      const serverPath = this.#paths.toServer(path);
      const entries = checkAcl(subject, acl);
      const version = checkVersion(subject, o.version);
      return writes.setACLRequest(path, serverPath, entries, version);
    });
  }

  /**
   * Waits until the server this client is connected to has caught up with the
   * leader on `path`, so a following read sees every write committed before.
   *
   * @param path The node's path.
   * @param options `signal` and `timeout`.
   */
  async sync(path: string, options?: CallOptions): Promise<void> {
    await this.#gate.call("sync", path, options, () => {
      return writes.syncRequest(path, this.#paths.toServer(path));
    });
  }

  /**
   * Runs operations as one transaction: all succeed or none is applied.
   *
   * @param ops The operations, each checked as its own method checks it.
   * @param options `signal` and `timeout`.
   * @returns Each operation's result, in order.
   * @throws {MultiError} When one fails: `index` names it, `results` gives
   *   every operation's code.
   */
  async multi(ops: readonly Op[], options?: CallOptions): Promise<OpResult[]> {
    const results = await this.#gate.call(
      "commit transaction",
      undefined,
      options,
      (_, subject) => {
        const body = buildMultiRequest(subject, ops, "write", this.#paths, this.#maxDataSize);
        return writes.multiRequest(OpCode.multi, body);
      },
    );
    return multiResults(results, ops, this.#paths);
  }

  /**
   * Runs reads together, at one point in the server's history; each succeeds
   * or fails on its own.
   *
   * @param ops The reads.
   * @param options `signal` and `timeout`.
   * @returns Each read's result, in order.
   */
  async multiRead(ops: readonly ReadOp[], options?: CallOptions): Promise<ReadResult[]> {
    const results = await this.#gate.call("read", undefined, options, (_, subject) => {
      const body = buildMultiRequest(subject, ops, "read", this.#paths, this.#maxDataSize);
      return writes.multiRequest(OpCode.multiRead, body);
    });
    return multiReadResults(results, ops);
  }

  /**
   * Lists the ephemeral nodes of this session.
   *
   * @param prefix Only those whose path starts with this.
   * @param options `signal` and `timeout`.
   * @returns Their paths.
   */
  getEphemerals(prefix = "/", options?: CallOptions): Promise<string[]> {
    return this.#gate.call("list ephemerals under", prefix, options, () => {
      const serverPrefix = this.#paths.toServer(prefix);
      return reads.getEphemeralsRequest(prefix, serverPrefix, (p) => this.#paths.strip(p));
    });
  }

  /**
   * Counts every descendant of a node.
   *
   * @param path The node's path.
   * @param options `signal` and `timeout`.
   * @returns The number of nodes below it.
   */
  getAllChildrenNumber(path: string, options?: CallOptions): Promise<number> {
    return this.#gate.call("count descendants of", path, options, () => {
      return reads.getAllChildrenNumberRequest(path, this.#paths.toServer(path));
    });
  }

  /**
   * The identities this session is authenticated as (ZooKeeper 3.9+ servers).
   *
   * @param options `signal` and `timeout`.
   * @returns One entry per identity.
   */
  whoAmI(options?: CallOptions): Promise<ClientInfo[]> {
    return this.#gate.call(reads.WHO_AM_I.verb, undefined, options, () => reads.WHO_AM_I);
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
      const modeValue = watchRequests.checkAddWatch(subject, mode, listener);
      const onReply = this.#watches.onReply(mode, path, listener);
      return watchRequests.addWatchRequest(path, serverPath, modeValue, onReply);
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

  #onState(state: ConnectionState): void {
    this.#metrics?.stateChanged(state.type);
    notifyAll(this.#stateListeners, state, this.#onError);
    this.#watches.sessionEvent(state);
  }
}
