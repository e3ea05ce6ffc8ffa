/**
 * Dynamic reconfiguration (ZooKeeper 3.5+): reading the ensemble's config,
 * changing its membership, and a client whose server list follows it.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/admin/ZooKeeperAdmin.java
 * @module
 */

import { OpCode } from "../protocol/constants.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import { writeReconfigRequest } from "../protocol/records_admin.ts";
import { readGetDataResponse, writeWatchRequest } from "../protocol/records_ops.ts";
import type { HostPort } from "../session/connect_string.ts";
import type { Request } from "../session/request_encoder.ts";
import { type ConnectionState, isFinal } from "../session/state.ts";
import type { JuteReader } from "../jute/reader.ts";
import type { Stat } from "../protocol/records_data.ts";
import type { CallOptions } from "../session/call.ts";
import type { Clock, TimerHandle } from "../session/clock.ts";
import { clientHosts, CONFIG_NODE, type EnsembleConfig } from "./config.ts";
import type { OnReply } from "./watch_requests.ts";
import { typeName } from "../util/type_name.ts";
import type { Watcher } from "./watch_registry.ts";

/**
 * A change of membership: incremental (`joining`, `leaving`) or the whole new
 * membership (`members`), not both.
 */
export interface ReconfigOptions extends CallOptions {
  /** Servers to add or change: `server.<id>=<host>:<port>:<port>[:<role>];<client>` lines. */
  joining?: readonly string[] | undefined;
  /** Ids of the servers to remove. */
  leaving?: readonly number[] | undefined;
  /** The whole new membership, as `server.<id>=...` lines. */
  members?: readonly string[] | undefined;
  /**
   * Apply only if the config's version is still this one (else
   * `BADVERSION`); any version when omitted.
   */
  fromConfig?: bigint | undefined;
}

/** The config node's data as a reply carries it, parsed after the reply is read. */
export type ConfigData = { data: Uint8Array | null; stat: Stat };

// The reply reader only reads the bytes: the text is parsed by the caller, so
// that a text this client cannot parse fails the call, not the stream.
const readConfig = (r: JuteReader): ConfigData => readGetDataResponse(r);

/**
 * getData on the config node, never under the chroot (as the Java client's
 * `getConfig`).
 *
 * @param onReply Registers the watch, if any.
 * @returns The request.
 */
export function getConfigRequest(onReply: OnReply): Request<ConfigData> {
  return {
    opcode: OpCode.getData,
    verb: "read the config",
    path: CONFIG_NODE,
    encode: (w) => writeWatchRequest(w, { path: CONFIG_NODE, watch: onReply !== undefined }),
    decode: readConfig,
    onReply,
  };
}

function checkList(name: string, items: unknown, valid: (item: unknown) => boolean): void {
  if (items === undefined) return;
  if (!Array.isArray(items)) {
    throw new ZooKeeperError(
      "BADARGUMENTS",
      `Cannot reconfigure: ${name} must be an array, not ${typeName(items)}`,
    );
  }
  const bad = items.findIndex((item) => !valid(item));
  if (bad >= 0) {
    const kind = name === "leaving" ? "a server id" : "a string";
    throw new ZooKeeperError(
      "BADARGUMENTS",
      `Cannot reconfigure: ${name}[${bad}] must be ${kind}, not ${typeName(items[bad])}`,
    );
  }
}

/**
 * The reconfig request (OpCode 16, `ReconfigRequest`); its reply is the new config.
 *
 * @param options The change.
 * @returns The request.
 * @throws {ZooKeeperError} `BADARGUMENTS` when `members` is combined with
 *   `joining` or `leaving`, or nothing is asked.
 */
export function reconfigRequest(options: ReconfigOptions): Request<ConfigData> {
  checkList("joining", options.joining, (s) => typeof s === "string");
  checkList("members", options.members, (s) => typeof s === "string");
  checkList("leaving", options.leaving, (id) => Number.isSafeInteger(id) && (id as number) >= 0);
  const from = options.fromConfig;
  if (from !== undefined && (typeof from !== "bigint" || BigInt.asIntN(64, from) !== from)) {
    throw new ZooKeeperError(
      "BADARGUMENTS",
      `Cannot reconfigure: fromConfig must be a 64-bit bigint, not ${typeName(from)}`,
    );
  }
  const incremental = (options.joining?.length ?? 0) + (options.leaving?.length ?? 0) > 0;
  const members = options.members ?? [];
  if (incremental && members.length > 0) {
    throw new ZooKeeperError(
      "BADARGUMENTS",
      "Cannot reconfigure: give either joining/leaving or members, not both",
    );
  }
  if (!incremental && members.length === 0) {
    throw new ZooKeeperError("BADARGUMENTS", "Cannot reconfigure: no change given");
  }
  const list = (items: readonly (string | number)[] | undefined) =>
    items === undefined || items.length === 0 ? null : items.join(",");
  const body = {
    joiningServers: list(options.joining),
    leavingServers: list(options.leaving),
    newMembers: list(options.members),
    curConfigId: options.fromConfig ?? -1n,
  };
  return {
    opcode: OpCode.reconfig,
    verb: "reconfigure",
    encode: (w) => writeReconfigRequest(w, body),
    decode: readConfig,
  };
}

/** What {@linkcode followConfig} needs of the client. */
export interface ConfigFollower {
  /** Reads the config, leaving a watch. */
  getConfig(options: { watch: Watcher }): Promise<EnsembleConfig>;
  /** The servers in use. */
  hosts(): readonly HostPort[];
  /** Replaces the server list. */
  update(hosts: HostPort[]): void;
  /** Subscribes to state changes. */
  onStateChange(listener: (state: ConnectionState) => void): () => void;
  /** Hears errors no caller waits for. */
  onError(error: unknown): void;
  /** Runs the waits between failed reads. */
  clock: Clock;
}

/** The first wait before reading a config again after a failed read, in milliseconds. */
export const CONFIG_RETRY_FIRST = 1000;
/** The longest wait between reads of a config that keep failing, in milliseconds. */
export const CONFIG_RETRY_MAX = 60_000;

function sameSet(a: readonly HostPort[], b: readonly HostPort[]): boolean {
  const key = (h: HostPort) => `${h.host.toLowerCase()}:${h.port}`;
  const keys = new Set(a.map(key));
  return a.length === b.length && b.every((h) => keys.has(key(h)));
}

/**
 * Keeps a client's server list equal to the ensemble's client addresses:
 * reads the config with a watch, updates the list when it differs, reads
 * again when the config changes and after a reconnect that found no watch.
 * A read that fails for another reason than the connection (a config this
 * client cannot parse) is reported and tried again after a wait that doubles
 * from {@linkcode CONFIG_RETRY_FIRST} to {@linkcode CONFIG_RETRY_MAX}.
 *
 * @param client The client's parts.
 * @returns Stops following.
 */
export function followConfig(client: ConfigFollower): () => void {
  const { clock } = client;
  let watching = false;
  let stopped = false;
  let failures = 0;
  let retry: TimerHandle | undefined;
  const watch: Watcher = (event) => {
    if (event.type === "None") return;
    watching = false;
    read();
  };
  const read = () => {
    if (stopped || watching || retry !== undefined) return;
    watching = true;
    client.getConfig({ watch }).then((config) => {
      failures = 0;
      const hosts = clientHosts(config);
      if (!stopped && hosts.length > 0 && !sameSet(hosts, client.hosts())) client.update(hosts);
    }, (error) => {
      watching = false;
      // A lost connection is retried on the next one; a final state ends it all.
      if (ZooKeeperError.is(error, "CONNECTIONLOSS", "SESSIONEXPIRED", "AUTHFAILED", "CLOSED")) {
        return;
      }
      client.onError(error);
      if (stopped) return;
      const wait = Math.min(CONFIG_RETRY_MAX, CONFIG_RETRY_FIRST * 2 ** failures++);
      retry = clock.setTimeout(() => {
        retry = undefined;
        read();
      }, wait);
    });
  };
  const stop = () => {
    stopped = true;
    if (retry !== undefined) clock.clearTimeout(retry);
    retry = undefined;
  };
  const unsubscribe = client.onStateChange((state) => {
    if (state.type === "connected" || state.type === "reconnected") read();
    if (isFinal(state)) stop();
  });
  read();
  return () => {
    stop();
    unsubscribe();
  };
}
