/**
 * The ensemble's configuration as the server keeps it in `/zookeeper/config`
 * (ZooKeeper 3.5+): one `server.<id>=<quorum address>:<quorum port>:<election
 * port>[:<role>][;<client address>]` line per member, then `version=<hex>`.
 *
 * @see https://zookeeper.apache.org/doc/current/zookeeperReconfig.html
 * @module
 */

import { ZooKeeperError } from "../protocol/errors.ts";
import type { Stat } from "../protocol/records_data.ts";
import type { HostPort } from "../session/connect_string.ts";

/** The config node's path (`ZooDefs.CONFIG_NODE`). */
export const CONFIG_NODE = "/zookeeper/config";

/** One member of the ensemble. */
export interface ServerConfig {
  /** Its id (`myid`). */
  id: number;
  /** The address it talks to the other members on. */
  host: string;
  /** The port followers connect to the leader on. */
  quorumPort: number;
  /** The port of leader election. */
  electionPort: number;
  /** Whether it votes (`participant`) or only follows (`observer`). */
  role: "participant" | "observer";
  /** Where clients connect, when it serves clients. */
  client: HostPort | undefined;
  /** The text after `server.<id>=`, as `reconfig` takes it back. */
  spec: string;
}

/** The ensemble's configuration, as {@linkcode ZooKeeper.getConfig} returns it. */
export interface EnsembleConfig {
  /** The members, in the order of the config. */
  servers: ServerConfig[];
  /** The config's version (a zxid): `reconfig`'s `fromConfig`. */
  version: bigint;
  /** The config node's Stat. */
  stat: Stat;
  /** The text of the config node. */
  text: string;
}

function malformed(line: string, why: string): ZooKeeperError {
  return new ZooKeeperError("MARSHALLINGERROR", `Malformed config line "${line}": ${why}`);
}

// `host:port` or `[v6]:port`, the port possibly alone.
function splitAddress(text: string, line: string): { host: string; rest: string[] } {
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) throw malformed(line, "unclosed bracket");
    return { host: text.slice(1, close), rest: text.slice(close + 2).split(":") };
  }
  const [host, ...rest] = text.split(":");
  return { host, rest };
}

function port(text: string | undefined, line: string): number {
  const n = Number(text);
  if (text === undefined || text === "" || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw malformed(line, `bad port "${text}"`);
  }
  return n;
}

function parseServer(id: number, spec: string, line: string): ServerConfig {
  const [quorum, clientPart] = spec.split(";");
  const { host, rest } = splitAddress(quorum.trim(), line);
  const role = rest[2] ?? "participant";
  if (role !== "participant" && role !== "observer") throw malformed(line, `bad role "${role}"`);
  let client: HostPort | undefined;
  if (clientPart !== undefined && clientPart.trim() !== "") {
    const text = clientPart.trim();
    const at = /^\d+$/.test(text) ? { host: "0.0.0.0", rest: [text] } : splitAddress(text, line);
    // A wildcard client address means every interface: reach it where the quorum is.
    const wildcard = at.host === "0.0.0.0" || at.host === "::" || at.host === "";
    client = { host: wildcard ? host : at.host, port: port(at.rest[0], line) };
  }
  return {
    id,
    host,
    quorumPort: port(rest[0], line),
    electionPort: port(rest[1], line),
    role,
    client,
    spec,
  };
}

/**
 * Parses the text of the config node.
 *
 * @param text The node's data as text.
 * @param stat The node's Stat.
 * @returns The members and the version.
 * @throws {ZooKeeperError} `MARSHALLINGERROR` on a line that cannot be read.
 *
 * @example A one-member config
 * ```ts
 * import { parseConfig } from "./config.ts";
 * const stat = { czxid: 0n, mzxid: 0n, ctime: 0, mtime: 0, version: 0, cversion: 0,
 *   aversion: 0, ephemeralOwner: 0n, dataLength: 0, numChildren: 0, pzxid: 0n };
 * const text = "server.1=10.0.0.1:2888:3888:participant;0.0.0.0:2181\nversion=100000000";
 * const config = parseConfig(text, stat);
 * console.log(config.servers[0].client); // { host: "10.0.0.1", port: 2181 }
 * ```
 */
export function parseConfig(text: string, stat: Stat): EnsembleConfig {
  const servers: ServerConfig[] = [];
  let version = 0n;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    const eq = line.indexOf("=");
    if (eq < 0) throw malformed(line, "no '='");
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    const server = /^server\.(\d+)$/.exec(key);
    if (server !== null) {
      servers.push(parseServer(Number(server[1]), value, line));
    } else if (key === "version") {
      if (!/^[0-9a-fA-F]+$/.test(value)) throw malformed(line, "bad version");
      version = BigInt(`0x${value}`);
    }
  }
  return { servers, version, stat, text };
}

/**
 * Where clients connect: the client address of every member that serves
 * clients.
 *
 * @param config The config.
 * @returns The addresses, in the order of the config.
 */
export function clientHosts(config: EnsembleConfig): HostPort[] {
  return config.servers.flatMap((s) => s.client === undefined ? [] : [s.client]);
}
