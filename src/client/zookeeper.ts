/**
 * The ZooKeeper client: every operation as a method returning a promise, all
 * pipelined on one connection, with one-shot watches.
 *
 * @module
 */

import { ZooKeeperError } from "../errors.ts";
import {
  AddWatchMode,
  CreateMode,
  DEFAULT_MAX_DATA_SIZE,
  DEFAULT_MAX_FRAME_SIZE,
  ErrorCode,
  OpCode,
} from "../protocol/constants.ts";
import type { ACL, ClientInfo, Stat } from "../protocol/records_data.ts";
import {
  readCreate2Response,
  readGetACLResponse,
  readGetAllChildrenNumberResponse,
  readGetChildren2Response,
  readGetChildrenResponse,
  readGetDataResponse,
  readGetEphemeralsResponse,
  readPathResponse,
  readStatResponse,
  readWhoAmIResponse,
  writeAddWatchRequest,
  writeCreateRequest,
  writeCreateTTLRequest,
  writeDeleteRequest,
  writeGetEphemeralsRequest,
  writePathRequest,
  writeSetACLRequest,
  writeSetDataRequest,
  writeWatchRequest,
} from "../protocol/records_ops.ts";
import { systemClock } from "../session/clock.ts";
import { type HostPort, parseConnectString } from "../session/connect_string.ts";
import { Session } from "../session/session.ts";
import type { ConnectionState } from "../session/state.ts";
import { defaultTransport } from "../transport/select.ts";
import type { TlsOptions, Transport } from "../transport/transport.ts";
import { OPEN_ACL_UNSAFE } from "./acl.ts";
import { buildMultiRequest, multiReadResults, multiResults } from "./multi.ts";
import { readMultiResponse } from "../protocol/multi.ts";
import { Paths } from "./paths.ts";
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
import { restoreWatchRequests } from "./restore.ts";
import type { WatchedEvent, Watcher, WatchRegistry } from "./watches.ts";
import { AsyncQueue } from "./async_queue.ts";
import { type AddWatchModeName, type WatcherTypeName, WatchManager } from "./watch_manager.ts";

/** Options of {@linkcode ZooKeeper.connect}. */
export interface ZooKeeperOptions {
  /**
   * Requested session timeout in milliseconds; the server bounds it between
   * 2 and 20 ticks by default.
   *
   * @default {10000}
   */
  sessionTimeout?: number;
  /**
   * How long `connect` waits for the first session before it fails.
   *
   * @default {15000}
   */
  connectTimeout?: number;
  /** Receives every session event (`type: "None"`), as the Java default watcher. */
  watcher?: Watcher;
  /** Credentials sent at connect and on every reconnect, such as digest `user:password`. */
  auth?: { scheme: string; auth: Data }[];
  /** Accept read-only servers when the ensemble has lost its quorum. */
  readOnly?: boolean;
  /** TLS settings, for ZooKeeper's secure client port. */
  tls?: TlsOptions;
  /**
   * Largest znode data accepted before sending (the server's `jute.maxbuffer`).
   *
   * @default {1048575}
   */
  maxDataSize?: number;
  /**
   * Largest frame accepted from or sent to the server.
   *
   * @default {1049599}
   */
  maxFrameSize?: number;
  /**
   * Longest random wait before reconnecting after a loss, in milliseconds.
   *
   * @default {1000}
   */
  reconnectDelay?: number;
  /**
   * Reject calls made while disconnected at once with `CONNECTIONLOSS`. By
   * default they wait for the next connection of the session, until it
   * expires or the client closes.
   */
  failFast?: boolean;
  /**
   * Resume an existing session (another client's `sessionId` and
   * `sessionPassword`) instead of starting a new one.
   */
  session?: { sessionId: bigint; password: Uint8Array };
  /** Try hosts in the given order instead of a random one. */
  keepHostOrder?: boolean;
  /** The socket implementation; by default the runtime's own. */
  transport?: Transport;
  /**
   * Receives errors thrown by watchers and listeners, which would otherwise
   * be lost.
   *
   * @default {console.error}
   */
  onError?: (error: unknown) => void;
  /** Aborts `connect`. */
  signal?: AbortSignal;
}

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

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
  readonly #paths: Paths;
  readonly #watchManager: WatchManager;
  readonly #watches: WatchRegistry;
  readonly #maxDataSize: number;
  readonly #onError: (error: unknown) => void;
  readonly #stateListeners = new Set<(state: ConnectionState) => void>();

  private constructor(
    hosts: HostPort[],
    chroot: string,
    transport: Transport,
    options: ZooKeeperOptions,
  ) {
    this.#paths = new Paths(chroot);
    this.#maxDataSize = options.maxDataSize ?? DEFAULT_MAX_DATA_SIZE;
    this.#onError = options.onError ?? ((error) => console.error(error));
    this.#watchManager = new WatchManager(
      () => this.#session,
      this.#paths,
      options.watcher,
      this.#onError,
    );
    this.#watches = this.#watchManager.registry;
    this.#session = new Session({
      hosts,
      sessionTimeout: options.sessionTimeout ?? 10_000,
      transport,
      clock: systemClock,
      tls: options.tls,
      readOnly: options.readOnly ?? false,
      maxFrameSize: options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE,
      reconnectDelay: options.reconnectDelay ?? 1000,
      cycleDelay: 1000,
      random: Math.random,
      failFast: options.failFast ?? false,
      resume: options.session,
    }, {
      notification: (event) => this.#watchManager.notification(event),
      state: (state) => this.#onState(state),
      restoreWatches: (zxid) => restoreWatchRequests(this.#watches, this.#paths, zxid),
    });
    for (const a of options.auth ?? []) {
      this.#session.addAuth(a.scheme, toBytes(a.auth)).catch(() => {});
    }
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
    const zk = new ZooKeeper(
      options.keepHostOrder ? hosts : shuffle(hosts),
      chroot,
      transport,
      options,
    );
    await zk.#waitConnected(
      connectString,
      options.connectTimeout ?? 15_000,
      options.signal,
    );
    return zk;
  }

  #waitConnected(what: string, timeout: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.#stateListeners.delete(listener);
        if (error === undefined) return resolve();
        this.#session.close().finally(() => reject(error));
      };
      const listener = (state: ConnectionState) => {
        if (state.type === "disconnected" || state.type === "connecting") return;
        if (this.connected) finish();
        else finish(ZooKeeperError.fromServer(codeOfEnd(state.type), "connect to", what));
      };
      const onAbort = () =>
        finish(
          new ZooKeeperError("CONNECTIONLOSS", `Cannot connect to "${what}": aborted`, {
            cause: signal?.reason,
          }),
        );
      const timer = setTimeout(() => {
        const last = this.#session.lastError;
        finish(
          new ZooKeeperError(
            "CONNECTIONLOSS",
            `Cannot connect to "${what}": no server answered within ${timeout} ms` +
              (last === undefined ? "" : ` (last error: ${last.message})`),
            { cause: last },
          ),
        );
      }, timeout);
      this.#stateListeners.add(listener);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener("abort", onAbort, { once: true });
    });
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
  async create(
    path: string,
    data?: Data,
    options: CreateOptions = {},
  ): Promise<string> {
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
    const mode = options.mode ?? "persistent";
    const flags = CreateMode[mode];
    if (flags === undefined) {
      return Promise.reject(
        new ZooKeeperError(
          "BADARGUMENTS",
          `Cannot create "${path}": unknown mode "${mode}"`,
        ),
      );
    }
    const sequential = mode.includes("Sequential") ||
      mode.includes("sequential");
    const ttl = mode.endsWith("WithTTL");
    if (ttl !== (options.ttl !== undefined)) {
      return Promise.reject(
        new ZooKeeperError(
          "BADARGUMENTS",
          ttl
            ? `Cannot create "${path}": mode ${mode} needs a ttl`
            : `Cannot create "${path}": a ttl needs a ...WithTTL mode`,
          { path },
        ),
      );
    }
    return this.#call(path, sequential, (p) => {
      const bytes = this.#data("create", path, data);
      const body = {
        path: p,
        data: bytes,
        acl: options.acl ?? [...OPEN_ACL_UNSAFE],
        flags,
      };
      const opcode = mode === "container"
        ? OpCode.createContainer
        : ttl
        ? OpCode.createTTL
        : OpCode.create2;
      return this.#session.submit(
        opcode,
        "create",
        path,
        ttl
          ? (w) => writeCreateTTLRequest(w, { ...body, ttl: options.ttl! })
          : (w) => writeCreateRequest(w, body),
        (r) => {
          const res = readCreate2Response(r);
          return { path: this.#paths.strip(res.path), stat: res.stat };
        },
        undefined,
        64 + p.length * 3 + bytes.length,
      );
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
    return this.#call(
      path,
      false,
      (p) =>
        this.#session.submit(
          OpCode.delete,
          "delete",
          path,
          (w) => writeDeleteRequest(w, { path: p, version: options.version ?? -1 }),
          undefined,
        ),
    );
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
    const watch = options.watch;
    try {
      return await this.#call(path, false, (p) =>
        this.#session.submit(
          OpCode.exists,
          "check",
          path,
          (w) => writeWatchRequest(w, { path: p, watch: watch !== undefined }),
          (r) => readStatResponse(r).stat,
          watch &&
            ((err) => {
              if (err === 0) this.#watches.add("data", path, watch);
              else if (err === ErrorCode.NONODE) {
                this.#watches.add("exist", path, watch);
              }
            }),
        ));
    } catch (error) {
      if (error instanceof ZooKeeperError && error.code === "NONODE") {
        return null;
      }
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
    const watch = options.watch;
    return this.#call(path, false, (p) =>
      this.#session.submit(
        OpCode.getData,
        "read",
        path,
        (w) => writeWatchRequest(w, { path: p, watch: watch !== undefined }),
        (r) => {
          const res = readGetDataResponse(r);
          return {
            data: res.data === null ? EMPTY : new Uint8Array(res.data),
            stat: res.stat,
          };
        },
        watch && ((err) => err === 0 && this.#watches.add("data", path, watch)),
      ));
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
  setData(
    path: string,
    data: Data,
    options: VersionOptions = {},
  ): Promise<Stat> {
    return this.#call(path, false, (p) => {
      const bytes = this.#data("write", path, data);
      return this.#session.submit(
        OpCode.setData,
        "write",
        path,
        (w) =>
          writeSetDataRequest(w, {
            path: p,
            data: bytes,
            version: options.version ?? -1,
          }),
        (r) => readStatResponse(r).stat,
        undefined,
        32 + p.length * 3 + bytes.length,
      );
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
  async getChildren(
    path: string,
    options: WatchOptions = {},
  ): Promise<string[]> {
    const watch = options.watch;
    return await this.#call(path, false, (p) =>
      this.#session.submit(
        OpCode.getChildren,
        "list children of",
        path,
        (w) => writeWatchRequest(w, { path: p, watch: watch !== undefined }),
        (r) => readGetChildrenResponse(r).children,
        watch &&
          ((err) => err === 0 && this.#watches.add("child", path, watch)),
      ));
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
    const watch = options.watch;
    return this.#call(path, false, (p) =>
      this.#session.submit(
        OpCode.getChildren2,
        "list children of",
        path,
        (w) => writeWatchRequest(w, { path: p, watch: watch !== undefined }),
        readGetChildren2Response,
        watch &&
          ((err) => err === 0 && this.#watches.add("child", path, watch)),
      ));
  }

  /**
   * Reads a node's ACL.
   *
   * @param path The node's path.
   * @returns The ACL and the node's Stat.
   */
  getACL(path: string): Promise<{ acl: ACL[]; stat: Stat }> {
    return this.#call(
      path,
      false,
      (p) =>
        this.#session.submit(
          OpCode.getACL,
          "read the ACL of",
          path,
          (w) => writePathRequest(w, { path: p }),
          readGetACLResponse,
        ),
    );
  }

  /**
   * Replaces a node's ACL.
   *
   * @param path The node's path.
   * @param acl The new ACL.
   * @param options The ACL version (`aversion`) it must have.
   * @returns The node's new Stat.
   */
  setACL(
    path: string,
    acl: ACL[],
    options: VersionOptions = {},
  ): Promise<Stat> {
    return this.#call(path, false, (p) =>
      this.#session.submit(
        OpCode.setACL,
        "set the ACL of",
        path,
        (w) =>
          writeSetACLRequest(w, {
            path: p,
            acl,
            version: options.version ?? -1,
          }),
        (r) => readStatResponse(r).stat,
      ));
  }

  /**
   * Waits until the server this client is connected to has caught up with the
   * leader on `path`, so a following read sees every write committed before.
   *
   * @param path The node's path.
   */
  async sync(path: string): Promise<void> {
    await this.#call(
      path,
      false,
      (p) =>
        this.#session.submit(
          OpCode.sync,
          "sync",
          path,
          (w) => writePathRequest(w, { path: p }),
          readPathResponse,
        ),
    );
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
    const request = buildMultiRequest(
      ops,
      this.#paths,
      (verb, path, data) => this.#data(verb, path, data),
    );
    const results = await this.#session.submit(
      OpCode.multi,
      "commit transaction",
      undefined,
      request.encode,
      readMultiResponse,
      undefined,
      request.sizeHint,
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
    const request = buildMultiRequest(
      ops,
      this.#paths,
      (verb, path, data) => this.#data(verb, path, data),
    );
    const results = await this.#session.submit(
      OpCode.multiRead,
      "read",
      undefined,
      request.encode,
      readMultiResponse,
      undefined,
      request.sizeHint,
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
    return this.#call(prefix, false, (p) =>
      this.#session.submit(
        OpCode.getEphemerals,
        "list ephemerals under",
        prefix,
        (w) => writeGetEphemeralsRequest(w, { prefixPath: p }),
        (r) => readGetEphemeralsResponse(r).ephemerals.map((e) => this.#paths.strip(e)),
      ));
  }

  /**
   * Counts every descendant of a node.
   *
   * @param path The node's path.
   * @returns The number of nodes below it.
   */
  getAllChildrenNumber(path: string): Promise<number> {
    return this.#call(path, false, (p) =>
      this.#session.submit(
        OpCode.getAllChildrenNumber,
        "count descendants of",
        path,
        (w) => writePathRequest(w, { path: p }),
        (r) => readGetAllChildrenNumberResponse(r).totalNumber,
      ));
  }

  /**
   * The identities this session is authenticated as (ZooKeeper 3.9+ servers).
   *
   * @returns One entry per identity.
   */
  whoAmI(): Promise<ClientInfo[]> {
    return this.#session.submit(
      OpCode.whoAmI,
      "ask who I am",
      undefined,
      undefined,
      (r) => readWhoAmIResponse(r).clientInfo,
    );
  }

  /**
   * Adds credentials to the session; they are sent again on every reconnect.
   *
   * @param scheme The scheme, such as `"digest"`.
   * @param auth The credentials, such as `"user:password"`.
   * @throws {ZooKeeperError} `AUTHFAILED` when the server refuses them (the
   *   session then ends).
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
    const code = AddWatchMode[mode];
    if (code === undefined) {
      return Promise.reject(
        new ZooKeeperError("BADARGUMENTS", `Cannot watch "${path}": unknown mode "${mode}"`, {
          path,
        }),
      );
    }
    return this.#call(path, false, (p) =>
      this.#session.submit(
        OpCode.addWatch,
        "watch",
        path,
        (w) => writeAddWatchRequest(w, { path: p, mode: code }),
        undefined,
        (err) => err === 0 && this.#watches.add(mode, path, listener),
      ));
  }

  /**
   * Removes one watcher from a path. The watcher receives a last event,
   * `DataWatchRemoved`, `ChildWatchRemoved` or `PersistentWatchRemoved`.
   *
   * @param path The watched path.
   * @param watcher The function that was registered.
   * @param type Which of its watches to remove: `data` (data and exist
   *   watches), `children`, `persistent`, `persistentRecursive` or `any`.
   * @param options `local`: remove it here only, even when the server cannot
   *   be reached.
   * @throws {ZooKeeperError} `NOWATCHER` when the watcher is not set there.
   */
  removeWatches(
    path: string,
    watcher: Watcher,
    type: WatcherTypeName = "any",
    options: { local?: boolean } = {},
  ): Promise<void> {
    return this.#watchManager.remove(path, watcher, type, options.local ?? false);
  }

  /**
   * Removes every watcher of a type from a path; each receives a last
   * `...WatchRemoved` event.
   *
   * @param path The watched path.
   * @param type Which watches to remove.
   * @param options `local`: remove them here only.
   * @throws {ZooKeeperError} `NOWATCHER` when no such watch is set there.
   */
  removeAllWatches(
    path: string,
    type: WatcherTypeName = "any",
    options: { local?: boolean } = {},
  ): Promise<void> {
    return this.#watchManager.remove(path, undefined, type, options.local ?? false);
  }

  /**
   * Watches a path persistently and yields its events until the loop breaks,
   * `signal` aborts or the client closes. The iterator throws `SESSIONEXPIRED`
   * or `AUTHFAILED` when the session ends that way. Events are queued, never
   * dropped, however slowly the loop reads them.
   *
   * @param path The node's path.
   * @param options `recursive`: also every node below it.
   * @returns The events.
   *
   * @example Following every change under a path
   * ```ts ignore
   * for await (const event of zk.watch("/services", { recursive: true })) {
   *   console.log(event.type, event.path);
   * }
   * ```
   */
  watch(
    path: string,
    options: { recursive?: boolean; signal?: AbortSignal } = {},
  ): AsyncIterableIterator<WatchedEvent> {
    return this.#watchManager.iterate(
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
  states(options: { signal?: AbortSignal } = {}): AsyncIterableIterator<ConnectionState> {
    const signal = options.signal;
    const onAbort = () => queue.end();
    const queue = new AsyncQueue<ConnectionState>(() => {
      unsubscribe();
      signal?.removeEventListener("abort", onAbort);
    });
    const unsubscribe = this.onStateChange((state) => {
      queue.push(state);
      if (FINAL_STATES.has(state.type)) queue.end();
    });
    if (this.#session.ended) {
      queue.push(this.state);
      queue.end();
    } else if (signal?.aborted) queue.end();
    else signal?.addEventListener("abort", onAbort, { once: true });
    return queue;
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

  // Validation errors reject the returned promise rather than throw, so every
  // failure of a call reaches the caller the same way.
  #call<T>(
    path: string,
    sequential: boolean,
    run: (serverPath: string) => Promise<T>,
  ): Promise<T> {
    try {
      return run(this.#paths.toServer(path, sequential));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #onState(state: ConnectionState): void {
    for (const listener of this.#stateListeners) {
      try {
        listener(state);
      } catch (error) {
        this.#onError(error);
      }
    }
    this.#watchManager.sessionEvent(state);
  }
}

const FINAL_STATES = new Set<ConnectionState["type"]>(["closed", "expired", "authFailed"]);

function codeOfEnd(type: ConnectionState["type"]) {
  return type === "expired" ? "SESSIONEXPIRED" : type === "authFailed" ? "AUTHFAILED" : "CLOSED";
}

function toBytes(data: Data): Uint8Array {
  return typeof data === "string" ? encoder.encode(data) : data;
}
