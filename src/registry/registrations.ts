/**
 * The nodes a registry registers: kept in memory and put in place on every
 * session, so that a registration outlives disconnections and expiries.
 *
 * @module
 */

import { digestACL, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from "../client/acl.ts";
import { ensurePath, parentPath } from "../client/tree.ts";
import type { ZooKeeper } from "../client/zookeeper.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import type { ACL } from "../protocol/records_data.ts";
import { encodeNodeData, hostName, type JsonValue, processId, timestamp } from "./node_data.ts";
import type { Gate } from "./snapshot.ts";

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

/** Who writes and with which ACL. */
export interface RegistrationsOptions {
  /** Digest user: the only one allowed to change what it registers. */
  username?: string;
  /** Digest password of `username`. */
  password?: string;
  /** ACL of the nodes created (overrides the one `username` implies). */
  acl?: ACL[];
  /** Awaited before each request (the rate limiter). */
  gate: Gate;
  /** Receives errors of background work. */
  onError: (error: unknown) => void;
}

interface Registration {
  data: Record<string, JsonValue>;
  ephemeral: boolean;
  state: boolean;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The registrations of one registry. */
export class Registrations {
  readonly #options: RegistrationsOptions;
  readonly #entries = new Map<string, Registration>();
  #acl: Promise<ACL[]> | undefined;

  /** @param options Credentials, ACL, gate and error sink. */
  constructor(options: RegistrationsOptions) {
    this.#options = options;
  }

  /** The registered paths. */
  get paths(): string[] {
    return [...this.#entries.keys()];
  }

  /**
   * Records a registration, and puts it in place when a client is given.
   *
   * @param zk The connected client, if any.
   * @param path The node's path.
   * @param data The data to publish.
   * @param options `ephemeral` and `state`.
   */
  async set(
    zk: ZooKeeper | undefined,
    path: string,
    data: Record<string, JsonValue>,
    options: SetNodeOptions,
  ): Promise<void> {
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
    this.#entries.set(path, registration);
    if (zk?.connected) await this.#apply(zk, path, registration);
  }

  /**
   * Forgets a registration and deletes its node.
   *
   * @param zk The client, if any.
   * @param path The registered path.
   */
  async unset(zk: ZooKeeper | undefined, path: string): Promise<void> {
    this.#entries.delete(path);
    if (zk !== undefined) await this.#deleteIfThere(zk, path);
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
      await this.#create(zk, path, bytes, false);
    }
  }

  /**
   * Puts every registration in place on a session (after connecting,
   * reconnecting or an expiry).
   *
   * @param zk The connected client.
   */
  async restore(zk: ZooKeeper): Promise<void> {
    for (const [path, registration] of this.#entries) {
      await this.#apply(zk, path, registration).catch(this.#options.onError);
    }
  }

  /**
   * Deletes every registered node (when the registry closes).
   *
   * @param zk The connected client.
   */
  async removeAll(zk: ZooKeeper): Promise<void> {
    await Promise.all(this.paths.map((path) => this.#deleteIfThere(zk, path).catch(() => {})));
  }

  #aclFor(): Promise<ACL[]> {
    const { acl, username, password } = this.#options;
    if (acl !== undefined) return Promise.resolve(acl);
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
    await this.#options.gate();
    const current = await zk.getData(path).catch((error) => {
      if (ZooKeeperError.is(error, "NONODE")) return undefined;
      throw error;
    });
    if (current !== undefined) {
      const owner = current.stat.ephemeralOwner;
      if (registration.ephemeral ? owner === zk.sessionId : owner === 0n) {
        // Ours already: rewrite only what changed, so a reconnect that finds
        // everything in place gives watchers nothing to report.
        if (!sameBytes(current.data, bytes)) {
          await this.#options.gate();
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
      await this.#options.gate();
      try {
        await zk.create(path, data, { mode: ephemeral ? "ephemeral" : "persistent", acl });
        return;
      } catch (error) {
        if (!ZooKeeperError.is(error, "NONODE") || attempt > 0) throw error;
        await ensurePath(zk, parentPath(path), { before: this.#options.gate });
      }
    }
  }

  async #deleteIfThere(zk: ZooKeeper, path: string): Promise<void> {
    await this.#options.gate();
    await zk.delete(path).catch((error) => {
      if (!ZooKeeperError.is(error, "NONODE")) throw error;
    });
  }
}
