/**
 * The service registry: one object that owns the connection to ZooKeeper and
 * all its states, so that an application only registers, looks up and
 * reacts. It follows ndServiceRegistry's API.
 *
 * @module
 */

import { AsyncQueue } from "../client/async_queue.ts";
import type { ZooKeeper } from "../client/zookeeper.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import { validatePath } from "../protocol/path.ts";
import type { Lock, LockOptions } from "./lock.ts";
import { formatMember } from "./formats.ts";
import { checkRegistrationData, type JsonValue, type RegistrationData } from "./node_data.ts";
import type { SetNodeOptions } from "./registrations.ts";
import { RegistryParts } from "./registry_parts.ts";
import type { RegistrationStatus } from "./repair.ts";
import type { LookupOptions, NodeSnapshot, SnapshotListener } from "./snapshot.ts";
import type { RegistryState } from "./supervisor.ts";
import type { Clock } from "../util/clock.ts";
import {
  type CloseOptions,
  type DrainOptions,
  type RegistryOptions,
  registryOptions,
} from "./options.ts";

export type { CloseOptions, DrainOptions, RegistryOptions } from "./options.ts";
export type { RegistryState } from "./supervisor.ts";
export type { SetNodeOptions } from "./registrations.ts";
export type { NodeFormat } from "./formats.ts";
export type { RegistrationStateName, RegistrationStatus } from "./repair.ts";
export type { HealthCheck } from "./health.ts";

/** Only {@linkcode Registry.connect} makes registries. */
const CONNECT: unique symbol = Symbol("Registry.connect");

/**
 * A service registry on ZooKeeper: a front over three parts, the connection
 * supervisor, the registrations and the lookups.
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
  readonly #parts: RegistryParts;

  /**
   * Not for use: {@linkcode Registry.connect} makes registries.
   *
   * @param options Settings.
   * @param token Proof that `Registry.connect` is the caller.
   * @throws {TypeError} Always, when called directly.
   */
  private constructor(options: RegistryOptions, token?: typeof CONNECT) {
    // A constructor cannot wait for the connection, and the seed's
    // constructor does (or fails): `await Registry.connect()` is that call.
    if (token !== CONNECT) {
      throw new TypeError(
        "Registry has no public constructor: use `await Registry.connect(options)`",
      );
    }
    this.#parts = new RegistryParts(options);
  }

  /**
   * Creates a registry and connects it.
   *
   * @param input Settings, or the ensemble's connect string alone.
   * @returns The registry, connected unless `lazy`; already closed when
   *   `signal` is aborted before the connection is up.
   * @throws {TypeError} When `input` or one of its fields has the wrong type.
   * @throws {ZooKeeperError} `CONNECTIONLOSS` when ZooKeeper cannot be reached
   *   within `connectTimeout` (unless `lazy`).
   * @throws {TypeError} When `clock` is not a clock, before connecting.
   */
  static async connect(input: RegistryOptions | string = {}): Promise<Registry> {
    const options = registryOptions(input);
    const registry = new Registry(options, CONNECT);
    await registry.#parts.connect();
    return registry;
  }

  /**
   * The clock of the registry's timers (the `clock` option, real time by
   * default), which its clients take too.
   */
  get clock(): Clock {
    return this.#parts.clock;
  }

  /** The connection state. */
  get state(): RegistryState {
    return this.#parts.supervisor.state;
  }

  /** The client of the current session, when there is one. */
  get client(): ZooKeeper | undefined {
    return this.#parts.supervisor.client;
  }

  /**
   * Calls `callback` on every change of connection state (ndServiceRegistry's
   * `get_state(callback)`).
   *
   * @param callback Receives the new state.
   * @returns A function that removes the callback.
   */
  onStateChange(callback: (state: RegistryState) => void): () => void {
    return this.#parts.supervisor.onStateChange(callback);
  }

  /**
   * Registers a node, ephemeral by default, whose data is `data` plus
   * `created`, `pid` and `hostname`. Parents are created as needed. The
   * registration is kept: the node is watched, created again when someone
   * deletes it or after a session expiry, and its data written again when
   * someone changes it (after a short wait; after a few lost rounds the
   * registry gives up and reports the conflict). A node another live session
   * holds is not taken: the conflict is reported and the node created when
   * that session's node goes. With `check`, the node is there only while
   * the health check passes. With `format`, the node is a serverset or Nerve
   * member instead (see {@linkcode SetNodeOptions.format}), kept the same
   * way.
   *
   * @param path The node's path, such as `/services/ssh/server1:22`.
   * @param data The data to publish about it: an object of JSON values, or a
   *   string (kept as ndServiceRegistry keeps one: `{"string_value": text}`
   *   beside the metadata; the text itself with `metadata: false`).
   * @param options `ephemeral`, `state`, `format` and the health check.
   * @throws {ZooKeeperError} `BADARGUMENTS` for an invalid path, or data the
   *   `format` cannot hold, or data of another kind (a number, an array,
   *   `null`) or that JSON cannot write; nothing is written then.
   */
  async setNode(
    path: string,
    data: RegistrationData = {},
    options: SetNodeOptions = {},
  ): Promise<void> {
    this.#parts.writable("register", path);
    validatePath(path);
    checkRegistrationData(path, data);
    if (options.format === undefined) {
      return await this.#parts.registrations.set(path, data, options);
    }
    if (options.metadata === true) {
      throw new ZooKeeperError(
        "BADARGUMENTS",
        `Cannot register "${path}": a ${options.format} member has no room for metadata`,
        { path },
      );
    }
    const member = formatMember(options.format, path, data);
    await this.#parts.registrations.set(path, member, { ...options, metadata: false });
  }

  /**
   * Unregisters a node: forgets it and deletes it, ephemeral or persistent
   * (unless another session holds it).
   *
   * @param path The registered path.
   * @throws {ZooKeeperError} `CONNECTIONLOSS` without a connection: the
   *   registration is forgotten at once and its node deleted as soon as
   *   there is one.
   */
  async unset(path: string): Promise<void> {
    this.#parts.writable("unregister", path);
    validatePath(path);
    await this.#parts.registrations.unset(path);
  }

  /**
   * Where a registration stands: `registered`, `pending`, `removed`,
   * `unhealthy`, `held` (by another live session) or `conflict`, and its
   * health.
   *
   * @param path The registered path.
   * @returns The status, or `undefined` when the path is not registered.
   */
  registration(path: string): RegistrationStatus | undefined {
    return this.#parts.registrations.status(path);
  }

  /**
   * Calls `callback` on every change of a registration's status or health.
   *
   * @param callback Receives the new status.
   * @returns A function that removes the callback.
   */
  onRegistrationChange(callback: (status: RegistrationStatus) => void): () => void {
    return this.#parts.registrations.onStatus(callback);
  }

  /**
   * Writes persistent data (JSON) to a node, creating it and its parents if
   * needed: configuration rather than a registration.
   *
   * @param path The node's path.
   * @param data The value.
   */
  async setData(path: string, data: JsonValue): Promise<void> {
    this.#parts.writable("write", path);
    validatePath(path);
    await this.#parts.registrations.write(this.#parts.connected("write", path), path, data);
  }

  /**
   * Looks up a path: its data and its children's data, decoded from JSON.
   * The path is then followed by watches: without a callback until
   * {@linkcode Registry.release} or until no lookup asked for it in
   * `followFor` ms (10 minutes by default); with a callback until the
   * registry closes. Each change costs one
   * read of what changed (none for a removal), and the next lookup is
   * answered from memory. A path that does not exist is not kept followed.
   * While ZooKeeper is away the last good copy is returned, with
   * `stale: true`.
   *
   * @param path The path, such as `/services/ssh`.
   * @param callback Called with the new result whenever the node's data, its
   *   children or a child's data change (not with the current one), and with
   *   what changed since the result before (see {@linkcode SnapshotChange}).
   * @param options `childData: false` keeps the children's names only.
   * @returns The current result.
   */
  async get(
    path: string,
    callback?: SnapshotListener,
    options: LookupOptions = {},
  ): Promise<NodeSnapshot> {
    this.#parts.readable("look up", path);
    return await this.#parts.lookups.get(path, callback, options);
  }

  /**
   * Looks up a path once, following nothing: the answer comes from memory
   * when the path is followed, else from one read of the node, its children
   * and (unless `childData: false`) their data, which leaves no watch on the
   * server. For a one-time look, such as a command-line `get`.
   *
   * @param path The path.
   * @param options `childData: false` reads the children's names only.
   * @returns The result (`stat: null` when the node does not exist; without
   *   a session, the last good copy with `stale: true`).
   * @throws {ZooKeeperError} `BADARGUMENTS` for an invalid path, `CLOSED`
   *   once closed, and the read's errors other than `NONODE` (such as
   *   `NOAUTH`).
   */
  async read(path: string, options: LookupOptions = {}): Promise<NodeSnapshot> {
    this.#parts.readable("read", path);
    return await this.#parts.lookups.read(path, options);
  }

  /**
   * Stops following a path that lookups without a callback keep followed
   * (`get(path)` keeps it, so the next lookup is answered from memory). Once
   * no callback or iterator follows it either, its watches are removed from
   * the server; a later lookup reads it again.
   *
   * @param path The path.
   * @param options `childData: false` releases the names-only lookup.
   * @returns Once its watches are removed (at once when something else still
   *   follows it).
   */
  async release(path: string, options: LookupOptions = {}): Promise<void> {
    validatePath(path);
    await this.#parts.lookups.release(path, options);
  }

  /**
   * Calls `callback` with the new result of `get(path)` whenever it changes,
   * and with what changed (see {@linkcode SnapshotChange}): a callback that
   * keeps its own view from it costs what changed.
   *
   * @param path The path.
   * @param callback Receives each new result and what changed.
   * @param options `childData: false` keeps the children's names only.
   * @returns A function that removes the callback; when nothing else follows
   *   the path, its watches are removed from the server.
   * @throws {ZooKeeperError} `BADARGUMENTS` for an invalid path, `CLOSED`
   *   once the registry is closed.
   */
  onChange(
    path: string,
    callback: SnapshotListener,
    options: LookupOptions = {},
  ): () => void {
    this.#parts.readable("follow", path);
    return this.#parts.lookups.onChange(path, callback, options);
  }

  /**
   * Yields the current result of `get(path)`, then each new one, until the
   * loop breaks, `signal` aborts or the registry closes. Results are queued,
   * never dropped, so each new result's `change` tells what changed since
   * the result before it (the first result's `change`, when it has one, is
   * about the result before that, which the loop never saw).
   *
   * @param path The path.
   * @param options `signal` ends the iteration; `childData: false` keeps the
   *   children's names only.
   * @returns The results; an invalid path or a closed registry ends them
   *   at once with its error.
   */
  watch(
    path: string,
    options: { signal?: AbortSignal | undefined } & LookupOptions = {},
  ): AsyncIterableIterator<NodeSnapshot> {
    try {
      this.#parts.readable("follow", path);
    } catch (error) {
      const failed = new AsyncQueue<NodeSnapshot>();
      failed.end(error);
      return failed;
    }
    return this.#parts.lookups.watch(path, options.signal, options);
  }

  /**
   * A distributed lock (or, with `simultaneous > 1`, a semaphore) under
   * `path`, on the current session. Call `acquire()` on it.
   *
   * @param path The lock's node.
   * @param options Holder name, how many at once, how long to wait; without
   *   `onLost`, the loss of a held lock goes to the registry's `onError`.
   * @returns The lock, not yet acquired.
   * @throws {ZooKeeperError} `CONNECTIONLOSS` while there is no session.
   */
  lock(path: string, options: LockOptions = {}): Lock {
    validatePath(path);
    return this.#parts.locks.make(this.#parts.connected("lock", path), path, options);
  }

  /**
   * Acquires the lock at `path` (ndServiceRegistry's `acquire_lock`).
   *
   * @param path The lock's node.
   * @param options As for {@linkcode Registry.lock}.
   * @returns The held lock, or `undefined` when `wait` ran out.
   */
  async acquireLock(path: string, options: LockOptions = {}): Promise<Lock | undefined> {
    return await this.#parts.locks.acquire(path, this.lock(path, options));
  }

  /**
   * Releases a lock taken with {@linkcode Registry.acquireLock}.
   *
   * @param path The lock's node.
   * @throws {ZooKeeperError} When its node could not be deleted; calling
   *   again retries (and `close()` does).
   */
  async releaseLock(path: string): Promise<void> {
    validatePath(path);
    await this.#parts.locks.release(path);
  }

  /**
   * Closes the connection and pauses: registrations, watches and callbacks are
   * kept and come back with {@linkcode Registry.start}. Ephemeral nodes go
   * with the session meanwhile.
   */
  async stop(): Promise<void> {
    await this.#parts.stop();
  }

  /** Reconnects after {@linkcode Registry.stop}, restoring registrations and watches. */
  async start(): Promise<void> {
    await this.#parts.start();
  }

  /**
   * Drains, then closes: removes the ephemeral registrations (so clients
   * stop picking this instance), waits `grace` ms while still answering
   * lookups and serving the locks (so requests in flight finish), then
   * closes.
   *
   * @param options `grace`.
   */
  async drain(options: DrainOptions = {}): Promise<void> {
    await this.#parts.drain(options);
  }

  /**
   * Closes the registry: removes its ephemeral registrations (they would go
   * with the session anyway) and leaves persistent ones in place (`unset()`
   * removes those), closes the session and ends every watch iterator.
   *
   * @param options `drain` drains first (see {@linkcode Registry.drain}).
   */
  async close(options: CloseOptions = {}): Promise<void> {
    await this.#parts.close(options);
  }

  /** Closes the registry, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
