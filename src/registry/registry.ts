/**
 * The service registry: one object that owns the connection to ZooKeeper and
 * all its states, so that an application only registers, looks up and
 * reacts. It follows ndServiceRegistry's API.
 *
 * @module
 */

import { digestACL, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from "../client/acl.ts";
import { AsyncQueue } from "../client/async_queue.ts";
import type { TlsOptions, Transport } from "../transport/transport.ts";
import { ZooKeeper } from "../client/zookeeper.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import { validatePath } from "../protocol/path.ts";
import type { ACL } from "../protocol/records_data.ts";
import type { ConnectionState } from "../session/state.ts";
import { CacheFile } from "./cache_file.ts";
import { Lock, type LockOptions } from "./lock.ts";
import { encodeNodeData, hostName, type JsonValue, processId, timestamp } from "./node_data.ts";
import { emptySnapshot, type NodeSnapshot, PathWatch } from "./path_watch.ts";
import { type RateLimit, RateLimiter } from "./rate_limiter.ts";

/** Options of {@linkcode Registry.connect}. */
export interface RegistryOptions {
  /**
   * The ensemble's connect string.
   *
   * @default {the ZK_SERVERS environment variable, else "127.0.0.1:2181"}
   */
  servers?: string;
  /**
   * Session timeout in milliseconds.
   *
   * @default {10000}
   */
  sessionTimeout?: number;
  /**
   * How long `connect` waits for ZooKeeper before failing (not with `lazy`).
   *
   * @default {15000}
   */
  connectTimeout?: number;
  /**
   * Start without ZooKeeper and connect in the background: lookups are
   * answered from the cache until it is reached.
   */
  lazy?: boolean;
  /**
   * A consumer that never writes: `setNode`, `setData` and `unset` reject,
   * and read-only ZooKeeper servers are accepted.
   */
  readOnly?: boolean;
  /** Digest user: sent as credentials, and the only one allowed to change what it registers. */
  username?: string;
  /** Digest password of `username`. */
  password?: string;
  /** ACL of the nodes the registry creates (overrides the one `username` implies). */
  acl?: ACL[];
  /** Keep the last good snapshot of every path in this JSON file. */
  cacheFile?: string;
  /** Space calls to ZooKeeper: a burst of `calls`, then no more than `calls` per `period` ms. */
  rateLimit?: RateLimit;
  /** Closes the registry when aborted. */
  signal?: AbortSignal;
  /** Receives errors of callbacks and of background work. */
  onError?: (error: unknown) => void;
  /** TLS settings for the connections. */
  tls?: TlsOptions;
  /** The socket implementation. */
  transport?: Transport;
}

/** Options of {@linkcode Registry.setNode}. */
export interface SetNodeOptions {
  /**
   * An ephemeral node goes with the session; the registry creates it again
   * after a session expiry. `false` makes a persistent node.
   *
   * @default {true}
   */
  ephemeral?: boolean;
  /**
   * `false` keeps the registration but removes the node (a server that is
   * down for maintenance); `true` again puts it back.
   *
   * @default {true}
   */
  state?: boolean;
}

/** The registry's connection state: the client's, or `stopped` after `stop()`. */
export type RegistryState = ConnectionState | { type: "stopped" };

interface Registration {
  data: Record<string, JsonValue>;
  ephemeral: boolean;
  state: boolean;
}

function defaultServers(): string {
  const g = globalThis as {
    process?: { env?: Record<string, string | undefined> };
    Deno?: { env?: { get(name: string): string | undefined } };
  };
  try {
    return g.process?.env?.ZK_SERVERS ?? g.Deno?.env?.get("ZK_SERVERS") ?? "127.0.0.1:2181";
  } catch {
    return "127.0.0.1:2181";
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/**
 * A service registry on ZooKeeper.
 *
 * @example Register a server and list a service
 * ```ts ignore
 * import { Registry } from "@nd/service-registry";
 * await using registry = await Registry.connect({ servers: "127.0.0.1:2181" });
 * await registry.setNode("/services/ssh/server1:22", { foo: "bar" });
 * const ssh = await registry.get("/services/ssh");
 * console.log(ssh.children); // { "server1:22": { foo: "bar", created: "...", pid: 1234 } }
 * ```
 */
export class Registry implements AsyncDisposable {
  readonly #options: RegistryOptions;
  readonly #servers: string;
  readonly #onError: (error: unknown) => void;
  readonly #limiter: RateLimiter | undefined;
  readonly #cacheFile: CacheFile | undefined;
  readonly #registrations = new Map<string, Registration>();
  readonly #watches = new Map<string, PathWatch>();
  readonly #cache = new Map<string, NodeSnapshot>();
  readonly #stateListeners = new Set<(state: RegistryState) => void>();
  #zk: ZooKeeper | undefined;
  #state: RegistryState = { type: "connecting" };
  #running = false;
  #closed = false;
  #connecting: Promise<void> | undefined;
  #acl: Promise<ACL[]> | undefined;

  private constructor(options: RegistryOptions) {
    this.#options = options;
    this.#servers = options.servers ?? defaultServers();
    this.#onError = options.onError ?? ((error) => console.error(error));
    this.#limiter = options.rateLimit ? new RateLimiter(options.rateLimit) : undefined;
    this.#cacheFile = options.cacheFile
      ? new CacheFile(options.cacheFile, this.#onError)
      : undefined;
  }

  /**
   * Creates a registry and connects it.
   *
   * @param options Settings.
   * @returns The registry, connected unless `lazy`.
   * @throws {ZooKeeperError} `CONNECTIONLOSS` when ZooKeeper cannot be reached
   *   within `connectTimeout` (unless `lazy`).
   */
  static async connect(options: RegistryOptions = {}): Promise<Registry> {
    const registry = new Registry(options);
    if (registry.#cacheFile !== undefined) {
      for (const [path, snapshot] of Object.entries(await registry.#cacheFile.load())) {
        registry.#cache.set(path, { ...snapshot, stale: true });
      }
    }
    options.signal?.addEventListener("abort", () => registry.close(), { once: true });
    registry.#running = true;
    if (options.lazy) {
      registry.#connectInBackground();
    } else {
      try {
        await registry.#connectOnce();
      } catch (error) {
        registry.#running = false;
        registry.#closed = true;
        throw new ZooKeeperError(
          "CONNECTIONLOSS",
          `Cannot connect to ZooKeeper at "${registry.#servers}": ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    return registry;
  }

  /** The connection state. */
  get state(): RegistryState {
    return this.#state;
  }

  /** The client of the current session, when there is one. */
  get client(): ZooKeeper | undefined {
    return this.#zk;
  }

  /**
   * Calls `callback` on every change of connection state (ndServiceRegistry's
   * `get_state(callback)`).
   *
   * @param callback Receives the new state.
   * @returns A function that removes the callback.
   */
  onStateChange(callback: (state: RegistryState) => void): () => void {
    this.#stateListeners.add(callback);
    return () => this.#stateListeners.delete(callback);
  }

  /**
   * Registers a node, ephemeral by default, whose data is `data` plus
   * `created`, `pid` and `hostname`. Parents are created as needed. The
   * registration is kept: the node is created again after a session expiry,
   * and replaced when a previous session left one behind.
   *
   * @param path The node's path, such as `/services/ssh/server1:22`.
   * @param data The data to publish about it.
   * @param options `ephemeral` and `state`.
   */
  async setNode(
    path: string,
    data: Record<string, JsonValue> = {},
    options: SetNodeOptions = {},
  ): Promise<void> {
    this.#writable("register", path);
    validatePath(path);
    const hostname = await hostName();
    const registration: Registration = {
      data: {
        ...data,
        created: timestamp(),
        pid: processId() ?? null,
        ...(hostname === undefined ? {} : { hostname }),
      },
      ephemeral: options.ephemeral ?? true,
      state: options.state ?? true,
    };
    this.#registrations.set(path, registration);
    if (this.#zk?.connected) await this.#apply(this.#zk, path, registration);
  }

  /**
   * Unregisters a node: forgets it and deletes it.
   *
   * @param path The registered path.
   */
  async unset(path: string): Promise<void> {
    this.#writable("unregister", path);
    this.#registrations.delete(path);
    const zk = this.#zk;
    if (zk !== undefined) await this.#deleteIfThere(zk, path);
  }

  /**
   * Writes persistent data (JSON) to a node, creating it and its parents if
   * needed: configuration rather than a registration.
   *
   * @param path The node's path.
   * @param data The value.
   */
  async setData(path: string, data: JsonValue): Promise<void> {
    this.#writable("write", path);
    validatePath(path);
    const zk = this.#connected("write", path);
    const bytes = encodeNodeData(data);
    await this.#gate();
    try {
      await zk.setData(path, bytes);
    } catch (error) {
      if (!(error instanceof ZooKeeperError && error.code === "NONODE")) throw error;
      await this.#create(zk, path, bytes, false);
    }
  }

  /**
   * Looks up a path: its data and its children's data, decoded from JSON.
   * Served from the cache kept current by watches after the first lookup;
   * from the last good copy (`stale: true`) while ZooKeeper is away.
   *
   * @param path The path, such as `/services/ssh`.
   * @param callback Called with the new result whenever the node's data, its
   *   children or a child's data change (not with the current one).
   * @returns The current result.
   */
  async get(path: string, callback?: (snapshot: NodeSnapshot) => void): Promise<NodeSnapshot> {
    validatePath(path);
    const watch = this.#watch(path);
    if (watch.snapshot === undefined && this.#zk?.connected) await watch.refresh();
    if (callback !== undefined) watch.listen(callback);
    return this.#current(path, watch);
  }

  /**
   * Calls `callback` with the new result of `get(path)` whenever it changes.
   *
   * @param path The path.
   * @param callback Receives each new result.
   * @returns A function that removes the callback.
   */
  onChange(path: string, callback: (snapshot: NodeSnapshot) => void): () => void {
    validatePath(path);
    const watch = this.#watch(path);
    if (watch.snapshot !== undefined || !this.#zk?.connected) return watch.listen(callback);
    // The first read is not a change: listen from the result it gives on.
    let removed = false;
    let remove = () => {
      removed = true;
    };
    watch.refresh().then(() => {
      if (!removed) remove = watch.listen(callback);
    });
    return () => remove();
  }

  /**
   * Yields the current result of `get(path)`, then each new one, until the
   * loop breaks, `signal` aborts or the registry closes. Results are queued,
   * never dropped.
   *
   * @param path The path.
   * @param options `signal`: ends the iteration.
   * @returns The results.
   */
  watch(path: string, options: { signal?: AbortSignal } = {}): AsyncIterableIterator<NodeSnapshot> {
    validatePath(path);
    const signal = options.signal;
    const onAbort = () => queue.end();
    const queue: AsyncQueue<NodeSnapshot> = new AsyncQueue(() => {
      remove();
      this.#iterators.delete(queue);
      signal?.removeEventListener("abort", onAbort);
    });
    let remove = () => {};
    this.#iterators.add(queue);
    this.get(path).then((snapshot) => {
      if (queue.ended) return;
      queue.push(snapshot);
      remove = this.#watch(path).listen((s) => queue.push(s));
    }, (error) => queue.end(error));
    if (signal?.aborted) queue.end();
    else signal?.addEventListener("abort", onAbort, { once: true });
    return queue;
  }

  readonly #iterators = new Set<AsyncQueue<NodeSnapshot>>();

  /**
   * A distributed lock (or, with `simultaneous > 1`, a semaphore) under
   * `path`, on the current session. Call `acquire()` on it.
   *
   * @param path The lock's node.
   * @param options Holder name, how many at once, how long to wait.
   * @returns The lock, not yet acquired.
   * @throws {ZooKeeperError} `CONNECTIONLOSS` while there is no session.
   */
  lock(path: string, options: LockOptions = {}): Lock {
    validatePath(path);
    return new Lock(this.#connected("lock", path), path, options);
  }

  /**
   * Acquires the lock at `path` (ndServiceRegistry's `acquire_lock`).
   *
   * @param path The lock's node.
   * @param options As for {@linkcode Registry.lock}.
   * @returns The held lock, or `undefined` when `wait` ran out.
   */
  async acquireLock(path: string, options: LockOptions = {}): Promise<Lock | undefined> {
    const lock = this.lock(path, options);
    if (await lock.acquire()) {
      this.#locks.set(path, lock);
      return lock;
    }
    return undefined;
  }

  /**
   * Releases a lock taken with {@linkcode Registry.acquireLock}.
   *
   * @param path The lock's node.
   */
  async releaseLock(path: string): Promise<void> {
    const lock = this.#locks.get(path);
    this.#locks.delete(path);
    await lock?.release();
  }

  readonly #locks = new Map<string, Lock>();

  /**
   * Closes the connection and pauses: registrations, watches and callbacks are
   * kept and come back with {@linkcode Registry.start}. Ephemeral nodes go
   * with the session meanwhile.
   */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    const zk = this.#zk;
    this.#zk = undefined;
    await zk?.close();
    this.#setState({ type: "stopped" });
  }

  /** Reconnects after {@linkcode Registry.stop}, restoring registrations and watches. */
  async start(): Promise<void> {
    if (this.#running || this.#closed) return;
    this.#running = true;
    this.#setState({ type: "connecting" });
    await this.#connectOnce().catch(() => this.#connectInBackground());
  }

  /**
   * Closes the registry: removes the nodes it registered, closes the session
   * and ends every watch iterator.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#running = false;
    const zk = this.#zk;
    this.#zk = undefined;
    if (zk?.connected && !this.#options.readOnly) {
      await Promise.all(
        [...this.#registrations.keys()].map((path) =>
          this.#deleteIfThere(zk, path).catch(() => {})
        ),
      );
    }
    for (const lock of this.#locks.values()) await lock.release().catch(() => {});
    await zk?.close();
    for (const watch of this.#watches.values()) watch.close();
    for (const queue of this.#iterators) queue.end();
    await this.#cacheFile?.flush().catch(this.#onError);
    this.#setState({ type: "closed" });
  }

  /** Closes the registry, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #writable(verb: string, path: string): void {
    if (this.#options.readOnly) {
      throw new ZooKeeperError(
        "NOTREADONLY",
        `Cannot ${verb} "${path}": the registry is read-only`,
        {
          path,
        },
      );
    }
    if (this.#closed) throw ZooKeeperError.fromServer("CLOSED", verb, path);
  }

  #gate(): Promise<void> {
    return this.#limiter?.take() ?? Promise.resolve();
  }

  #connected(verb: string, path: string): ZooKeeper {
    if (this.#closed) throw ZooKeeperError.fromServer("CLOSED", verb, path);
    const zk = this.#zk;
    if (zk === undefined) throw ZooKeeperError.fromServer("CONNECTIONLOSS", verb, path);
    return zk;
  }

  #watch(path: string): PathWatch {
    let watch = this.#watches.get(path);
    if (watch === undefined) {
      watch = new PathWatch(
        path,
        () => this.#zk,
        () => this.#gate(),
        (snapshot) => this.#store(snapshot),
        this.#onError,
      );
      this.#watches.set(path, watch);
    }
    return watch;
  }

  #current(path: string, watch: PathWatch): NodeSnapshot {
    const connected = this.#zk?.connected ?? false;
    const live = watch.snapshot;
    if (live !== undefined && connected) return live;
    const cached = this.#cache.get(path) ?? live;
    if (cached !== undefined) return { ...cached, stale: !connected || cached.stale };
    return emptySnapshot(path, true);
  }

  // An empty answer (no node, or a node with neither data nor children) is
  // not cached: an empty list of servers usually means trouble, and must not
  // replace the last good one.
  #store(snapshot: NodeSnapshot): void {
    const empty = snapshot.stat === null ||
      (snapshot.data === null && Object.keys(snapshot.children).length === 0);
    if (empty) return;
    this.#cache.set(snapshot.path, snapshot);
    this.#cacheFile?.put(snapshot);
  }

  #setState(state: RegistryState): void {
    this.#state = state;
    for (const listener of this.#stateListeners) {
      try {
        listener(state);
      } catch (error) {
        this.#onError(error);
      }
    }
  }

  async #connectOnce(): Promise<void> {
    const { username, password } = this.#options;
    const zk = await ZooKeeper.connect(this.#servers, {
      sessionTimeout: this.#options.sessionTimeout ?? 10_000,
      connectTimeout: this.#options.connectTimeout ?? 15_000,
      readOnly: this.#options.readOnly ?? false,
      auth: username === undefined
        ? undefined
        : [{ scheme: "digest", auth: `${username}:${password ?? ""}` }],
      onError: this.#onError,
      tls: this.#options.tls,
      transport: this.#options.transport,
    });
    if (!this.#running) {
      await zk.close();
      return;
    }
    this.#attach(zk);
  }

  #connectInBackground(): void {
    if (this.#connecting !== undefined) return;
    const loop = async () => {
      for (let delay = 250; this.#running && this.#zk === undefined;) {
        try {
          await this.#connectOnce();
        } catch {
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 5000);
        }
      }
    };
    this.#connecting = loop().finally(() => this.#connecting = undefined);
  }

  #attach(zk: ZooKeeper): void {
    this.#zk = zk;
    zk.onStateChange((state) => {
      if (this.#zk !== zk) return;
      this.#setState(state);
      if (state.type === "reconnected") this.#restore(zk);
      if (state.type === "expired" || state.type === "authFailed") {
        // A new session: everything is registered and watched again on it.
        this.#zk = undefined;
        if (this.#running) this.#connectInBackground();
      }
    });
    this.#setState(zk.state);
    this.#restore(zk);
  }

  #restore(zk: ZooKeeper): void {
    (async () => {
      if (!this.#options.readOnly) {
        for (const [path, registration] of this.#registrations) {
          await this.#apply(zk, path, registration).catch(this.#onError);
        }
      }
      await Promise.all([...this.#watches.values()].map((w) => w.refresh()));
    })().catch(this.#onError);
  }

  #aclFor(): Promise<ACL[]> {
    if (this.#options.acl !== undefined) return Promise.resolve(this.#options.acl);
    const { username, password } = this.#options;
    if (username === undefined) return Promise.resolve([...OPEN_ACL_UNSAFE]);
    return this.#acl ??= digestACL(username, password ?? "").then((own) => [
      own,
      ...READ_ACL_UNSAFE,
    ]);
  }

  async #apply(zk: ZooKeeper, path: string, registration: Registration): Promise<void> {
    if (!registration.state) {
      await this.#deleteIfThere(zk, path);
      return;
    }
    const bytes = encodeNodeData(registration.data);
    await this.#gate();
    const current = await zk.getData(path).catch((error) => {
      if (error instanceof ZooKeeperError && error.code === "NONODE") return undefined;
      throw error;
    });
    if (current !== undefined) {
      const owner = current.stat.ephemeralOwner;
      if (registration.ephemeral ? owner === zk.sessionId : owner === 0n) {
        // Ours already: rewrite only what changed, so a reconnect that finds
        // everything in place gives watchers nothing to report.
        if (!sameBytes(current.data, bytes)) {
          await this.#gate();
          await zk.setData(path, bytes);
        }
        return;
      }
      // Left by an earlier session (ours or not): replace it, so watchers see
      // the registration change hands.
      await this.#deleteIfThere(zk, path);
    }
    await this.#create(zk, path, bytes, registration.ephemeral);
  }

  async #create(zk: ZooKeeper, path: string, data: Uint8Array, ephemeral: boolean): Promise<void> {
    const acl = await this.#aclFor();
    for (let attempt = 0;; attempt++) {
      await this.#gate();
      try {
        await zk.create(path, data, { mode: ephemeral ? "ephemeral" : "persistent", acl });
        return;
      } catch (error) {
        if (!(error instanceof ZooKeeperError) || error.code !== "NONODE" || attempt > 0) {
          throw error;
        }
        await this.#ensureParents(zk, parentOf(path));
      }
    }
  }

  async #ensureParents(zk: ZooKeeper, path: string): Promise<void> {
    if (path === "/") return;
    const parts = path.split("/").slice(1);
    for (let i = 1; i <= parts.length; i++) {
      const p = "/" + parts.slice(0, i).join("/");
      await this.#gate();
      await zk.create(p).catch((error) => {
        if (!(error instanceof ZooKeeperError && error.code === "NODEEXISTS")) throw error;
      });
    }
  }

  async #deleteIfThere(zk: ZooKeeper, path: string): Promise<void> {
    await this.#gate();
    await zk.delete(path).catch((error) => {
      if (!(error instanceof ZooKeeperError && error.code === "NONODE")) throw error;
    });
  }
}
