/**
 * Parsing of ZooKeeper connect strings: `host:port,host:port,.../chroot`.
 *
 * @module
 */

import { ZooKeeperError } from "../protocol/errors.ts";
import { pathProblem } from "../protocol/path.ts";

/** One server address. */
export interface HostPort {
  /** Host name or IP address (IPv6 without brackets). */
  host: string;
  /** TCP port. */
  port: number;
}

/** A parsed connect string. */
export interface ConnectString {
  /** The servers, in the order given. */
  hosts: HostPort[];
  /** The chroot every path is relative to, or `""` for none. */
  chroot: string;
}

/** ZooKeeper's default client port. */
export const DEFAULT_PORT = 2181;

function bad(input: string, reason: string): ZooKeeperError {
  return new ZooKeeperError(
    "BADARGUMENTS",
    `Invalid connect string "${input}": ${reason}`,
  );
}

/**
 * Parses a connect string. IPv6 addresses are written in brackets
 * (`[::1]:2181`); a missing port is 2181.
 *
 * @param input The connect string, such as `"10.0.0.1:2181,10.0.0.2:2181/app"`.
 * @returns The hosts and chroot.
 * @throws {ZooKeeperError} `BADARGUMENTS` when it cannot be parsed.
 */
export function parseConnectString(input: string): ConnectString {
  // A gateway or admin-server URL is the usual mix-up; read as host:port it
  // would fail on its "//" with a message about an empty chroot node.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    throw bad(
      input,
      'a URL, where host:port pairs were expected (such as "10.0.0.1:2181,10.0.0.2:2181/app")',
    );
  }
  const slash = input.indexOf("/");
  const hostPart = slash === -1 ? input : input.slice(0, slash);
  let chroot = slash === -1 ? "" : input.slice(slash);
  if (chroot === "/") chroot = "";
  if (chroot !== "") {
    const problem = pathProblem(chroot);
    if (problem !== undefined) throw bad(input, `chroot ${problem}`);
  }
  const hosts: HostPort[] = [];
  for (const raw of hostPart.split(",")) {
    const item = raw.trim();
    if (item === "") continue;
    let host: string;
    let portText: string | undefined;
    if (item.startsWith("[")) {
      const close = item.indexOf("]");
      if (close === -1) throw bad(input, `unclosed bracket in "${item}"`);
      host = item.slice(1, close);
      const rest = item.slice(close + 1);
      if (rest !== "" && !rest.startsWith(":")) {
        throw bad(input, `unexpected "${rest}"`);
      }
      portText = rest === "" ? undefined : rest.slice(1);
    } else {
      const colon = item.lastIndexOf(":");
      if (colon !== item.indexOf(":")) {
        throw bad(input, `IPv6 address "${item}" needs brackets`);
      }
      host = colon === -1 ? item : item.slice(0, colon);
      portText = colon === -1 ? undefined : item.slice(colon + 1);
    }
    const port = portText === undefined ? DEFAULT_PORT : Number(portText);
    if (host === "") throw bad(input, `empty host in "${item}"`);
    if (
      !Number.isInteger(port) || port < 1 || port > 65535 || portText === ""
    ) {
      throw bad(input, `invalid port in "${item}"`);
    }
    hosts.push({ host, port });
  }
  if (hosts.length === 0) throw bad(input, "no hosts");
  // A copy of its own length: an array grown by push keeps room for more, and
  // every session holds its list for its whole life.
  return { hosts: hosts.slice(), chroot };
}
