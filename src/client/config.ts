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

/**
 * The key of getConfig's watches among the client's watches: not a path, so
 * that a user's own `/zookeeper/config` (under a chroot, another node) and
 * the config node's watches never share or remove each other.
 */
export const CONFIG_WATCH_KEY = "<config>";

/** One of a member's quorum addresses (3.6+ lists several, separated by `|`). */
export interface QuorumAddress {
  /** The host, without the brackets of an IPv6 address. */
  host: string;
  /** The port followers connect to the leader on. */
  quorumPort: number;
  /** The port of leader election. */
  electionPort: number;
}

/** One member of the ensemble. */
export interface ServerConfig {
  /** Its id (`myid`). */
  id: number;
  /** The first address it talks to the other members on. */
  host: string;
  /** The port followers connect to the leader on, at `host`. */
  quorumPort: number;
  /** The port of leader election, at `host`. */
  electionPort: number;
  /**
   * Every quorum address, the first one being `host`: more than one with
   * `zookeeper.multiAddress.enabled` (ZooKeeper 3.6+).
   */
  addresses: QuorumAddress[];
  /** Whether it votes (`participant`) or only follows (`observer`). */
  role: "participant" | "observer";
  /** Where clients connect, when the config says. */
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

// `host:a:b...` or `[v6]:a:b...`: the host, then the fields after it. An
// IPv6 address without brackets has no way to tell its colons from the
// fields', so it is taken as the server writes it, bracketed.
function splitHost(text: string, line: string): { host: string; fields: string[] } {
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) throw malformed(line, "unclosed bracket");
    const after = text.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) throw malformed(line, `bad address "${text}"`);
    return { host: text.slice(1, close), fields: after === "" ? [] : after.slice(1).split(":") };
  }
  const [host, ...fields] = text.split(":");
  return { host, fields };
}

function port(text: string | undefined, line: string): number {
  if (text === undefined || !/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw malformed(line, `bad port "${text ?? ""}"`);
  }
  return Number(text);
}

const ROLES: ReadonlySet<string> = new Set(["participant", "observer"]);

// `[host:]port`, host possibly bracketed; the server writes the wildcard
// `0.0.0.0` when the client port listens on every interface.
function clientAddress(text: string, quorumHost: string, line: string): HostPort {
  if (/^\d+$/.test(text)) return { host: quorumHost, port: port(text, line) };
  let host: string;
  let portText: string | undefined;
  if (text.startsWith("[")) {
    const { host: h, fields } = splitHost(text, line);
    if (fields.length !== 1) throw malformed(line, `bad client address "${text}"`);
    host = h;
    portText = fields[0];
  } else {
    const colon = text.lastIndexOf(":");
    if (colon < 0) throw malformed(line, `bad client address "${text}"`);
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  // A wildcard client address means every interface: reach it where the quorum is.
  const wildcard = host === "0.0.0.0" || host === "::" || host === "" || host === "0:0:0:0:0:0:0:0";
  return { host: wildcard ? quorumHost : host, port: port(portText, line) };
}

// `QuorumPeer.QuorumServer`: `addr:qport:eport[|addr:qport:eport...][:role][;client]`,
// the role after the last address.
function parseServer(id: number, spec: string, line: string): ServerConfig {
  const semi = spec.indexOf(";");
  const quorum = (semi < 0 ? spec : spec.slice(0, semi)).trim();
  const clientPart = semi < 0 ? "" : spec.slice(semi + 1).trim();
  let role: "participant" | "observer" = "participant";
  const parts = quorum.split("|");
  const addresses = parts.map((part, i): QuorumAddress => {
    const { host, fields } = splitHost(part.trim(), line);
    if (host === "") throw malformed(line, "no host");
    if (fields.length === 3 && i === parts.length - 1) {
      if (!ROLES.has(fields[2])) throw malformed(line, `bad role "${fields[2]}"`);
      role = fields[2] as "participant" | "observer";
    } else if (fields.length !== 2) {
      throw malformed(line, `bad address "${part}"`);
    }
    return { host, quorumPort: port(fields[0], line), electionPort: port(fields[1], line) };
  });
  const first = addresses[0];
  return {
    id,
    host: first.host,
    quorumPort: first.quorumPort,
    electionPort: first.electionPort,
    addresses,
    role,
    client: clientPart === "" ? undefined : clientAddress(clientPart, first.host, line),
    spec,
  };
}

/**
 * Parses the text of the config node, in every form the server writes:
 * several quorum addresses separated by `|`, IPv6 addresses in brackets, a
 * role, a client address after `;` (or none).
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
      if (!/^[0-9a-fA-F]{1,16}$/.test(value)) throw malformed(line, "bad version");
      version = BigInt(`0x${value}`);
    }
  }
  return { servers, version, stat, text };
}

const decoder = new TextDecoder();

/**
 * Parses the config node's data as a reply carries it. Called once the reply
 * is read, never inside the reply reader: a text this client cannot parse
 * fails the one call that asked, not the connection.
 *
 * @param reply The data and Stat.
 * @returns The config.
 * @throws {ZooKeeperError} `MARSHALLINGERROR` on a line that cannot be read.
 */
export function parseConfigData(reply: { data: Uint8Array | null; stat: Stat }): EnsembleConfig {
  return parseConfig(decoder.decode(reply.data ?? new Uint8Array(0)), reply.stat);
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
