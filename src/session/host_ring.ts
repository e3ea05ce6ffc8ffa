/**
 * The servers of a session, tried in order, round and round.
 *
 * @module
 */

import type { HostPort } from "./connect_string.ts";
import { rebalance, sameHost } from "./rebalance.ts";

/** The servers, in the order they are tried, and the one in use. */
export class HostRing {
  #hosts: readonly HostPort[];
  #index = -1;
  #chosen: number | undefined;

  /** @param hosts The servers, at least one. */
  constructor(hosts: readonly HostPort[]) {
    this.#hosts = hosts;
  }

  /** The servers, in the order they are tried. */
  get hosts(): readonly HostPort[] {
    return this.#hosts;
  }

  /**
   * Replaces the servers (a reconfiguration). The next
   * {@linkcode HostRing.advance} goes on after `current` if it is still in
   * the list, else starts from the first.
   *
   * @param hosts The new servers, at least one.
   * @param current The position of the server in use in `hosts`, or -1.
   */
  replace(hosts: readonly HostPort[], current: number): void {
    this.#hosts = hosts;
    this.#index = current;
    this.#chosen = undefined;
  }

  /**
   * Replaces the servers after a reconfiguration and says whether to move,
   * by the Java client's rebalancing rule (see {@linkcode rebalance}).
   *
   * @param hosts The new servers, at least one.
   * @param random A number in [0, 1).
   * @returns The position of the server to move to, or `undefined` to stay.
   */
  rebalance(hosts: readonly HostPort[], random: () => number): number | undefined {
    const current = this.#index < 0 ? undefined : this.current;
    const plan = rebalance(this.#hosts, hosts, current, random);
    const stay = current === undefined ? -1 : plan.hosts.findIndex((h) => sameHost(h, current));
    this.replace(plan.hosts, plan.moveTo === undefined ? stay : -1);
    return plan.moveTo;
  }

  /** How many servers there are. */
  get size(): number {
    return this.#hosts.length;
  }

  /** The position of the server in use (of the last {@linkcode HostRing.advance}). */
  get index(): number {
    return this.#index;
  }

  /** The server in use. */
  get current(): HostPort {
    return this.#hosts[this.#index];
  }

  /**
   * The server at a position.
   *
   * @param index The position.
   * @returns The server.
   */
  at(index: number): HostPort {
    return this.#hosts[index];
  }

  /**
   * Moves to the server to try next: the one {@linkcode HostRing.choose}
   * named, else the one after the current.
   *
   * @returns That server.
   */
  advance(): HostPort {
    this.#index = this.#chosen ?? (this.#index + 1) % this.#hosts.length;
    this.#chosen = undefined;
    return this.current;
  }

  /**
   * Makes the next {@linkcode HostRing.advance} land on a given server.
   *
   * @param index Its position.
   */
  choose(index: number): void {
    this.#chosen = index;
  }
}
