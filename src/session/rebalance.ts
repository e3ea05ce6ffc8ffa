/**
 * What a client does when its server list changes (a reconfiguration): the
 * rule of the Java client's `StaticHostProvider.updateServerList`
 * (HostConnectionManager). Each client moves only with the probability that
 * leaves the load even, so that a new server gets its share of the sessions
 * and not every client reconnects at once:
 *
 * - more servers, mine still in: move to a new server with probability
 *   `1 - old/new`, else stay;
 * - more servers, mine gone: move to a new server;
 * - as many or fewer, mine still in: stay (its load grows as it should);
 * - as many or fewer, mine gone: move, to a server of the old list with
 *   probability `pOld = old' (n - new) / (new (n - old'))` (n the old size,
 *   old' the surviving old servers), else to a new one.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/client/StaticHostProvider.java
 * @module
 */

import type { HostPort } from "./connect_string.ts";

/** The outcome of {@linkcode rebalance}. */
export interface Rebalance {
  /** The new list, shuffled. */
  hosts: HostPort[];
  /** The position in `hosts` of the server to move to; `undefined` to stay. */
  moveTo: number | undefined;
}

/**
 * Whether two addresses name the same server.
 *
 * @param a One.
 * @param b The other.
 * @returns Whether host and port are equal.
 */
export function sameHost(a: HostPort, b: HostPort): boolean {
  return a.port === b.port && a.host.toLowerCase() === b.host.toLowerCase();
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Decides whether a client moves after its server list changed, and where.
 *
 * @param old The current list.
 * @param next The new list, at least one server.
 * @param current The server the client is on (or last tried).
 * @param random A source of numbers in [0, 1).
 * @returns The new list and the server to move to, if any.
 * @throws {RangeError} When `next` is empty.
 */
export function rebalance(
  old: readonly HostPort[],
  next: readonly HostPort[],
  current: HostPort | undefined,
  random: () => number,
): Rebalance {
  if (next.length === 0) throw new RangeError("The server list may not be empty");
  const hosts = shuffle(next, random);
  const inOld = (h: HostPort) => old.some((o) => sameHost(o, h));
  const oldServers = hosts.filter(inOld);
  const newServers = hosts.filter((h) => !inOld(h));
  const mine = current !== undefined && hosts.some((h) => sameHost(h, current));
  let pNew: number;
  if (hosts.length > old.length) {
    if (mine && random() > 1 - old.length / hosts.length) return { hosts, moveTo: undefined };
    pNew = 1;
  } else {
    if (mine) return { hosts, moveTo: undefined };
    const spare = hosts.length * (old.length - oldServers.length);
    pNew = spare === 0 ? 0 : 1 - (oldServers.length * (old.length - hosts.length)) / spare;
  }
  const takeNew = newServers.length > 0 && (oldServers.length === 0 || random() < pNew);
  const target = takeNew ? newServers[0] : oldServers[0];
  return { hosts, moveTo: hosts.indexOf(target) };
}
