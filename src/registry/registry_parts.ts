/**
 * The parts a `Registry` is a front over, wired together: the connection
 * supervisor and the sessions it opens, the registrations, the lookups and
 * the locks; and their life: connecting, pausing, draining and closing, and
 * the checks that refuse a call the registry's state does not allow.
 *
 * @module
 */

import { ZooKeeper } from "../client/zookeeper.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import { validatePath } from "../protocol/path.ts";
import { type Clock, clockOption } from "../util/clock.ts";
import { sleep } from "../util/sleep.ts";
import { CacheFile } from "./cache_file.ts";
import { Lookups } from "./lookups.ts";
import {
  type CloseOptions,
  DEFAULT_FOLLOW_FOR,
  defaultServers,
  type DrainOptions,
  type RegistryOptions,
} from "./options.ts";
import { RateLimiter } from "./rate_limiter.ts";
import { Registrations } from "./registrations.ts";
import { RegistryLocks } from "./registry_locks.ts";
import { Supervisor } from "./supervisor.ts";

/** The parts of one registry and their life. */
export class RegistryParts {
  /** The ensemble's connect string. */
  readonly servers: string;
  /** Receives errors nobody else hears of. */
  readonly onError: (error: unknown) => void;
  /** The clock of every timer. */
  readonly clock: Clock;
  /** One session at a time. */
  readonly supervisor: Supervisor;
  /** The nodes registered, each kept in place. */
  readonly registrations: Registrations;
  /** The paths followed. */
  readonly lookups: Lookups;
  /** The locks. */
  readonly locks: RegistryLocks;
  readonly #options: RegistryOptions;
  readonly #limiter: RateLimiter | undefined;
  #draining: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  /** @param options The registry's settings, checked. */
  constructor(options: RegistryOptions) {
    this.#options = options;
    this.servers = options.servers ?? defaultServers();
    const onError = this.onError = options.onError ?? ((error) => console.error(error));
    const clock = this.clock = clockOption(options.clock);
    this.#limiter = options.rateLimit ? new RateLimiter(options.rateLimit, clock) : undefined;
    const gate = () => this.#limiter?.take() ?? Promise.resolve();
    this.locks = new RegistryLocks(onError);
    this.registrations = new Registrations({
      client: () => this.supervisor.client,
      username: options.username,
      password: options.password,
      acl: options.acl,
      gate,
      onError,
      clock,
    });
    this.lookups = new Lookups({
      client: () => this.supervisor.client,
      gate,
      onError,
      cacheFile: options.cacheFile ? new CacheFile(options.cacheFile, onError, clock) : undefined,
      persistentWatches: options.persistentWatches,
      childData: options.childData,
      clock,
      followFor: options.followFor ?? DEFAULT_FOLLOW_FOR,
    });
    this.supervisor = new Supervisor(
      () => this.#open(),
      {
        attached: (zk) => {
          this.#restore(zk);
          this.lookups.attached(zk);
        },
        reconnected: (zk) => {
          this.#restore(zk);
          this.lookups.reconnected();
        },
        detached: () => {
          this.registrations.detached();
          this.lookups.detached();
        },
      },
      onError,
      clock,
    );
  }

  /**
   * Loads the cache file and connects (in the background when `lazy`);
   * closes instead when `signal` is aborted, then or later.
   *
   * @throws {ZooKeeperError} `CONNECTIONLOSS` when ZooKeeper cannot be reached
   *   (unless `lazy`).
   */
  async connect(): Promise<void> {
    const signal = this.#options.signal;
    if (signal?.aborted) {
      await this.close();
      return;
    }
    await this.lookups.loadCacheFile();
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    // Aborted while the file loaded: the event has gone by.
    if (signal?.aborted) return await this.close();
    if (this.#options.lazy) {
      this.supervisor.startInBackground();
      return;
    }
    try {
      await this.supervisor.start();
    } catch (error) {
      if (this.supervisor.closed) return;
      signal?.removeEventListener("abort", this.#onAbort);
      await this.supervisor.stop(true);
      throw new ZooKeeperError(
        "CONNECTIONLOSS",
        `Cannot connect to ZooKeeper at "${this.servers}": ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /** Closes the connection, keeping everything to restore. */
  async stop(): Promise<void> {
    if (this.supervisor.closed || this.supervisor.state.type === "stopped") return;
    await this.supervisor.stop();
  }

  /** Reconnects after `stop()`, in the background when the first try fails. */
  async start(): Promise<void> {
    if (this.supervisor.closed || this.supervisor.client !== undefined) return;
    await this.supervisor.start().catch((error) => {
      this.onError(error);
      this.supervisor.startInBackground();
    });
  }

  /**
   * Removes the ephemeral registrations, waits `grace` ms, then closes.
   *
   * @param options `grace`.
   */
  drain(options: DrainOptions = {}): Promise<void> {
    if (this.supervisor.closed) return Promise.resolve();
    return this.#draining ??= (async () => {
      await this.registrations.drain();
      await sleep(this.clock, options.grace ?? 5000);
      await this.close();
    })();
  }

  /**
   * Closes the registrations, the locks, the lookups and the session; a
   * second call waits for the first.
   *
   * @param options `drain` drains first.
   */
  close(options: CloseOptions = {}): Promise<void> {
    if (options.drain) return this.drain(options.drain === true ? {} : options.drain);
    if (this.supervisor.closed && this.#closing === undefined) return Promise.resolve();
    return this.#closing ??= (async () => {
      this.#options.signal?.removeEventListener("abort", this.#onAbort);
      await this.registrations.closeAll();
      await this.locks.releaseAll();
      await this.lookups.close();
      await this.supervisor.stop(true);
    })();
  }

  readonly #onAbort = (): void => {
    this.close().catch(this.onError);
  };

  /**
   * Refuses a write on a read-only or closed registry.
   *
   * @param verb What the call does, for the error's message.
   * @param path The path it names.
   * @throws {ZooKeeperError} `NOTREADONLY` or `CLOSED`.
   */
  writable(verb: string, path: string): void {
    if (this.#options.readOnly) {
      throw new ZooKeeperError(
        "NOTREADONLY",
        `Cannot ${verb} "${path}": the registry is read-only`,
        { path },
      );
    }
    // Draining or closing, the registry lets go of its registrations.
    if (this.#draining !== undefined || this.#closing !== undefined) {
      throw ZooKeeperError.fromServer("CLOSED", verb, path);
    }
  }

  /**
   * Refuses a read of an invalid path, or on a closed registry.
   *
   * @param verb What the call does, for the error's message.
   * @param path The path it names.
   * @throws {ZooKeeperError} `BADARGUMENTS` or `CLOSED`.
   */
  readable(verb: string, path: string): void {
    validatePath(path);
    if (this.supervisor.closed) throw ZooKeeperError.fromServer("CLOSED", verb, path);
  }

  /**
   * The client of the current session.
   *
   * @param verb What the call does, for the error's message.
   * @param path The path it names.
   * @returns The client.
   * @throws {ZooKeeperError} `CLOSED`, or `CONNECTIONLOSS` without a session.
   */
  connected(verb: string, path: string): ZooKeeper {
    if (this.supervisor.closed) throw ZooKeeperError.fromServer("CLOSED", verb, path);
    const zk = this.supervisor.client;
    if (zk === undefined) throw ZooKeeperError.fromServer("CONNECTIONLOSS", verb, path);
    return zk;
  }

  #open(): Promise<ZooKeeper> {
    const { username, password } = this.#options;
    return ZooKeeper.connect(this.servers, {
      sessionTimeout: this.#options.sessionTimeout ?? 10_000,
      connectTimeout: this.#options.connectTimeout ?? 15_000,
      readOnly: this.#options.readOnly ?? false,
      sasl: this.#options.sasl,
      auth: username === undefined
        ? undefined
        : [{ scheme: "digest", auth: `${username}:${password ?? ""}` }],
      onError: this.onError,
      tls: this.#options.tls,
      transport: this.#options.transport,
      metrics: this.#options.metrics,
      clock: this.clock,
      maxFrameSize: this.#options.maxReceiveSize,
    });
  }

  #restore(zk: ZooKeeper): void {
    if (this.#options.readOnly) return;
    this.registrations.restore(zk);
  }
}
