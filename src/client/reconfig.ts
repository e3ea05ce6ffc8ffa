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
import type { Request } from "../session/request.ts";
import type { ConnectionState } from "../session/state.ts";
import { clientHosts, CONFIG_NODE, type EnsembleConfig, parseConfig } from "./config.ts";
import type { OnReply } from "./requests.ts";
import type { Watcher } from "./watches.ts";

/**
 * A change of membership: incremental (`joining`, `leaving`) or the whole new
 * membership (`members`), not both.
 */
export interface ReconfigOptions {
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

const decoder = new TextDecoder();

function readConfig(r: Parameters<typeof readGetDataResponse>[0]): EnsembleConfig {
  const { data, stat } = readGetDataResponse(r);
  return parseConfig(decoder.decode(data ?? new Uint8Array(0)), stat);
}

/**
 * getData on the config node, never under the chroot (as the Java client's
 * `getConfig`).
 *
 * @param onReply Registers the watch, if any.
 * @returns The request.
 */
export function getConfigRequest(onReply: OnReply): Request<EnsembleConfig> {
  return {
    opcode: OpCode.getData,
    verb: "read the config",
    path: CONFIG_NODE,
    encode: (w) => writeWatchRequest(w, { path: CONFIG_NODE, watch: onReply !== undefined }),
    decode: readConfig,
    onReply,
  };
}

/**
 * The reconfig request (OpCode 16, `ReconfigRequest`); its reply is the new config.
 *
 * @param options The change.
 * @returns The request.
 * @throws {ZooKeeperError} `BADARGUMENTS` when `members` is combined with
 *   `joining` or `leaving`, or nothing is asked.
 */
export function reconfigRequest(options: ReconfigOptions): Request<EnsembleConfig> {
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
    sizeHint: 64 + (body.joiningServers?.length ?? 0) * 3 + (body.newMembers?.length ?? 0) * 3,
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
}

function sameSet(a: readonly HostPort[], b: readonly HostPort[]): boolean {
  const key = (h: HostPort) => `${h.host.toLowerCase()}:${h.port}`;
  const keys = new Set(a.map(key));
  return a.length === b.length && b.every((h) => keys.has(key(h)));
}

/**
 * Keeps a client's server list equal to the ensemble's client addresses:
 * reads the config with a watch, updates the list when it differs, reads
 * again when the config changes and after a reconnect that found no watch.
 *
 * @param client The client's parts.
 * @returns Stops following.
 */
export function followConfig(client: ConfigFollower): () => void {
  let watching = false;
  let stopped = false;
  const watch: Watcher = (event) => {
    if (event.type === "None") return;
    watching = false;
    read();
  };
  const read = () => {
    if (stopped || watching) return;
    watching = true;
    client.getConfig({ watch }).then((config) => {
      const hosts = clientHosts(config);
      if (!stopped && hosts.length > 0 && !sameSet(hosts, client.hosts())) client.update(hosts);
    }, (error) => {
      watching = false;
      // A lost connection is retried on the next one; a final state ends it all.
      if (!ZooKeeperError.is(error, "CONNECTIONLOSS", "SESSIONEXPIRED", "AUTHFAILED", "CLOSED")) {
        client.onError(error);
      }
    });
  };
  const unsubscribe = client.onStateChange((state) => {
    if (state.type === "connected" || state.type === "reconnected") read();
    if (state.type === "closed" || state.type === "expired" || state.type === "authFailed") {
      stopped = true;
    }
  });
  read();
  return () => {
    stopped = true;
    unsubscribe();
  };
}
