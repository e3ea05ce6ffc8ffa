/**
 * The nodes a registry registers: kept in memory, put in place on every
 * session and kept there (see `repair.ts`), removed while their health check
 * fails, so that a registration outlives disconnections, expiries and other
 * hands.
 *
 * @module
 */

import { digestACL, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from "../client/acl.ts";
import { isInterrupted } from "../client/retry.ts";
import { ensurePath } from "../client/recipes.ts";
import { parentPath } from "../protocol/path.ts";
import type { ZooKeeper } from "../client/zookeeper.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import type { ACL } from "../protocol/records_data.ts";
import type { Clock } from "../util/clock.ts";
import { notifyAll } from "../util/notify.ts";
import { typeName } from "../util/type_name.ts";
import { type HealthCheck, HealthMonitor } from "./health.ts";
import {
  encodeNodeData,
  encodeRegistration,
  hostName,
  type JsonValue,
  processId,
  type RegistrationData,
  timestamp,
} from "./node_data.ts";
import { NodeKeeper, type RegistrationStatus } from "./repair.ts";
import type { Gate } from "./snapshot.ts";
import type { NodeFormat } from "./formats.ts";

/** Options of {@linkcode Registry.setNode}. */
export interface SetNodeOptions {
  /**
   * An ephemeral node goes with the session; the registry creates it again
   * after a session expiry. `false` makes a persistent node.
   *
   * @default {true}
   */
  ephemeral?: boolean | undefined;
  /**
   * How the registry creates the node's missing parents: `persistent` nodes
   * (kazoo's `makepath`, ndServiceRegistry's), or `container` nodes, which
   * ZooKeeper deletes once their last child is gone, as Curator's discovery
   * makes its service nodes: a service whose instances have all gone leaves
   * nothing behind.
   *
   * @default {"persistent"}
   */
  parents?: "persistent" | "container" | undefined;
  /**
   * `false` keeps the registration but removes the node (a server that is
   * down for maintenance); `true` again puts it back.
   *
   * @default {true}
   */
  state?: boolean | undefined;
  /**
   * `false` writes `data` as it is, without `created`, `pid` and
   * `hostname`: for formats another tool reads strictly (Curator's discovery
   * instances).
   *
   * @default {true}
   */
  metadata?: boolean | undefined;
  /**
   * Writes the node in another tool's format instead of the registry's JSON
   * (no `created`, `pid`, `hostname`): `serverset` (Finagle, Aurora) or
   * `nerve` (Airbnb), the two that Prometheus' ZooKeeper discovery reads.
   * `data` then holds `host` and `port`, and for a serverset `endpoints`
   * (`{ name: { host, port } }`) and `shard`, for Nerve `name` (the parent
   * node's name by default), `weight` and `labels`; anything else is refused.
   */
  format?: NodeFormat | undefined;
  /**
   * A health check: while it fails the node is removed (`state` reads
   * `unhealthy`), and it comes back once it passes. The first result counts
   * at once; later ones only after `rise` passes or `fall` failures in a row.
   */
  check?: HealthCheck | undefined;
  /**
   * Milliseconds between health checks.
   *
   * @default {10000}
   */
  interval?: number | undefined;
  /**
   * Passes in a row that bring an unhealthy registration back.
   *
   * @default {2}
   */
  rise?: number | undefined;
  /**
   * Failures in a row that take a healthy registration out.
   *
   * @default {3}
   */
  fall?: number | undefined;
  /**
   * Milliseconds a health check may take before it counts as failed.
   *
   * @default {the interval, at most 5000}
   */
  timeout?: number | undefined;
}

/** Who writes and with which ACL. */
export interface RegistrationsOptions {
  /** The current client, if any. */
  client: () => ZooKeeper | undefined;
  /** Digest user: the only one allowed to change what it registers. */
  username?: string | undefined;
  /** Digest password of `username`. */
  password?: string | undefined;
  /** ACL of the nodes created (overrides the one `username` implies). */
  acl?: readonly ACL[] | undefined;
  /** Awaited before each request (the rate limiter). */
  gate: Gate;
  /** Receives errors of background work and conflicts. */
  onError: (error: unknown) => void;
  /** Times health checks and repair, and gives the `created` time. */
  clock: Clock;
}

interface Entry {
  keeper: NodeKeeper;
  health: HealthMonitor | undefined;
}

/** The registrations of one registry. */
export class Registrations {
  readonly #options: RegistrationsOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #sessions = new Set<bigint>();
  readonly #listeners = new Set<(status: RegistrationStatus) => void>();
  #acl: Promise<ACL[]> | undefined;
  #ending = false;

  /** @param options Client, credentials, ACL, gate and error sink. */
  constructor(options: RegistrationsOptions) {
    this.#options = options;
  }

  /** The registered paths. */
  get paths(): string[] {
    return [...this.#entries].filter(([, e]) => !e.keeper.removing).map(([path]) => path);
  }

  /**
   * The status of one registration.
   *
   * @param path The registered path.
   * @returns Its status, or `undefined` when the path is not registered.
   */
  status(path: string): RegistrationStatus | undefined {
    const keeper = this.#entries.get(path)?.keeper;
    return keeper === undefined || keeper.removing ? undefined : keeper.status;
  }

  /**
   * Adds a listener of registration status changes.
   *
   * @param listener Receives each new status.
   * @returns A function that removes it.
   */
  onStatus(listener: (status: RegistrationStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Records a registration and puts it in place when there is a session;
   * with a check, after the check's first result.
   *
   * @param path The node's path.
   * @param data The data to publish.
   * @param options `ephemeral`, `state` and the health check.
   */
  async set(path: string, data: RegistrationData, options: SetNodeOptions): Promise<void> {
    const parents: unknown = options.parents;
    if (parents !== undefined && parents !== "persistent" && parents !== "container") {
      const what = typeof parents === "string" ? `"${parents}"` : typeName(parents);
      throw new ZooKeeperError(
        "BADARGUMENTS",
        `Cannot register "${path}": parents must be "persistent" or "container", not ${what}`,
        { path },
      );
    }
    // Made first: a check refused leaves the registration as it was.
    let onHealth = (_healthy: boolean): void => {};
    const health = options.check === undefined ? undefined : new HealthMonitor(
      { ...options, check: options.check },
      (healthy) => onHealth(healthy),
      this.#options.clock,
    );
    const hostname = options.metadata === false ? undefined : await hostName();
    // A registry draining or closing has let go of its registrations.
    if (this.#ending) throw ZooKeeperError.fromServer("CLOSED", "register", path);
    const bytes = encodeRegistration(
      data,
      options.metadata === false ? undefined : {
        created: timestamp(new Date(this.#options.clock.wallNow())),
        pid: processId() ?? null,
        ...(hostname === undefined ? {} : { hostname }),
      },
    );
    const known = this.#entries.get(path);
    const fresh = known === undefined;
    const entry = known ?? { keeper: this.#keeper(path), health: undefined };
    if (fresh) this.#entries.set(path, entry);
    entry.health?.stop();
    entry.health = health;
    const { keeper } = entry;
    const ephemeral = options.ephemeral ?? true;
    const state = options.state ?? true;
    keeper.containerParents = options.parents === "container";
    // A new registration is kept only once its first write is accepted, or
    // failed for a reason the next session cures: one the server or the
    // client refuses (data too large, no right to create) would be refused
    // again on every session.
    const first = async (write: Promise<void>) => {
      try {
        await write;
      } catch (error) {
        if (fresh && !isInterrupted(error) && this.#entries.get(path) === entry) {
          this.#entries.delete(path);
          entry.health?.stop();
          await keeper.close(false);
        }
        throw error;
      }
    };
    if (health === undefined) {
      await first(keeper.want(bytes, ephemeral, state, false));
      return;
    }
    onHealth = (healthy) => {
      if (entry.health === health) keeper.setHealthy(healthy).catch(this.#report);
    };
    // Until the first verdict the node stays as it is (absent when new).
    keeper.want(bytes, ephemeral, state, true).catch(this.#report);
    const verdict = await health.start();
    if (entry.health === health) await first(keeper.setHealthy(verdict));
  }

  /**
   * Forgets a registration and deletes its node (persistent or not), unless
   * another session holds it.
   *
   * @param path The registered path.
   */
  async unset(path: string): Promise<void> {
    const entry = this.#entries.get(path);
    if (entry === undefined) return;
    entry.health?.stop();
    entry.health = undefined;
    // Kept until the node is gone: without a session now, the next one
    // deletes it, or it would stay for good (a persistent node) or for the
    // rest of the session.
    if (await entry.keeper.remove()) {
      await this.#forget(path, entry);
      return;
    }
    throw new ZooKeeperError(
      "CONNECTIONLOSS",
      `Cannot unregister "${path}" now: no connection; it is deleted as soon as there is one`,
      { path },
    );
  }

  async #forget(path: string, entry: Entry): Promise<void> {
    if (this.#entries.get(path) !== entry) return;
    this.#entries.delete(path);
    await entry.keeper.close(false);
  }

  /**
   * Writes persistent data to a node, creating it and its parents if needed.
   *
   * @param zk The client.
   * @param path The node's path.
   * @param data The value.
   */
  async write(zk: ZooKeeper, path: string, data: JsonValue): Promise<void> {
    const bytes = encodeNodeData(data);
    await this.#options.gate();
    try {
      await zk.setData(path, bytes);
    } catch (error) {
      if (!ZooKeeperError.is(error, "NONODE")) throw error;
      await this.#create(zk, path, bytes);
    }
  }

  /**
   * Puts every registration in place on a session (after connecting,
   * reconnecting or an expiry).
   *
   * @param zk The connected client.
   */
  restore(zk: ZooKeeper): void {
    this.#sessions.add(zk.sessionId);
    for (const { keeper } of this.#entries.values()) keeper.kickInBackground();
  }

  /** The session went: registrations wait for the next one. */
  detached(): void {
    for (const { keeper } of this.#entries.values()) keeper.detached();
  }

  /**
   * Removes the ephemeral registrations' nodes for good and stops the health
   * checks; persistent ones stay (a registry that drains before it closes).
   */
  async drain(): Promise<void> {
    this.#ending = true;
    for (const entry of this.#entries.values()) entry.health?.stop();
    await Promise.all(
      [...this.#entries.values()].map(({ keeper }) => keeper.drain().catch(this.#report)),
    );
  }

  /**
   * Stops keeping every registration (when the registry closes): ephemeral
   * nodes are deleted, persistent ones stay.
   */
  async closeAll(): Promise<void> {
    this.#ending = true;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(entries.map(({ keeper, health }) => {
      health?.stop();
      // An ephemeral node left by a lost connection goes with the session.
      return keeper.close(keeper.ephemeral || keeper.removing).catch((error) => {
        if (!isInterrupted(error)) this.#report(error);
      });
    }));
  }

  #report = (error: unknown): void => this.#options.onError(error);

  #keeper(path: string): NodeKeeper {
    return new NodeKeeper(path, {
      client: this.#options.client,
      gate: this.#options.gate,
      clock: this.#options.clock,
      acl: () => this.#aclFor(),
      sessions: this.#sessions,
      onError: this.#report,
      onStatus: (status) => {
        notifyAll(this.#listeners, status, this.#report);
        // An unset registration whose node is gone at last.
        const entry = this.#entries.get(path);
        if (status.state === "removed" && entry?.keeper.removing) {
          this.#forget(path, entry).catch(this.#report);
        }
      },
    });
  }

  #aclFor(): Promise<ACL[]> {
    const { acl, username, password } = this.#options;
    if (acl !== undefined) return Promise.resolve([...acl]);
    if (username === undefined) return Promise.resolve([...OPEN_ACL_UNSAFE]);
    return this.#acl ??= digestACL(username, password ?? "").then((own) => [
      own,
      ...READ_ACL_UNSAFE,
    ]);
  }

  async #create(zk: ZooKeeper, path: string, data: Uint8Array): Promise<void> {
    const acl = await this.#aclFor();
    for (let attempt = 0;; attempt++) {
      await this.#options.gate();
      try {
        await zk.create(path, data, { acl });
        return;
      } catch (error) {
        if (!ZooKeeperError.is(error, "NONODE") || attempt > 0) throw error;
        await ensurePath(zk, parentPath(path), { before: this.#options.gate });
      }
    }
  }
}
