/**
 * When the session tries the next server after a connection failed or was
 * lost, and when to stop waiting because a whole round of servers refused
 * outright. Apart from the session so that its arithmetic reads in one place.
 *
 * @module
 */

import type { HostRing } from "./host_ring.ts";

/** The settings the pacing reads: the session's options themselves. */
export interface ReconnectPacingOptions {
  /** Upper bound of the random pause after losing a live connection, in ms. */
  readonly reconnectDelay: number;
  /** The pause after a whole round of failed attempts, in ms. */
  readonly cycleDelay: number;
  /** A number in [0, 1): spreads reconnections of many clients. */
  readonly random: () => number;
}

/** Counts failed attempts and says how long to wait before the next. */
export class ReconnectPacing {
  readonly #hosts: HostRing;
  readonly #options: ReconnectPacingOptions;
  // Connection attempts failed in a row, to pause after a whole round.
  #failures = 0;
  // Attempts of the current round refused outright, before the first session.
  #refusedInRound = 0;
  #onRefused: ((error: Error) => void) | undefined;
  // Set once the first whole round was refused, for a listener that comes later.
  #refused: Error | undefined;

  /**
   * @param hosts The servers, whose number makes a round.
   * @param options The delays and the randomness.
   */
  constructor(hosts: HostRing, options: ReconnectPacingOptions) {
    this.#hosts = hosts;
    this.#options = options;
  }

  /**
   * Calls `listener` once, with the last error, when a whole round over the
   * hosts was refused outright (nothing listens there) before the first
   * session: waiting longer is only worth it to a caller who asked to. Never
   * calls it otherwise. A listener held in a field rather than a promise that
   * never settles: whoever waited can let go of it, and of all it holds.
   *
   * @param listener Receives the error, in a later microtask; replaces the
   *   listener set before.
   * @returns Removes the listener; it is not called after that, even when
   *   its call was already due.
   */
  onAllRefused(listener: (error: Error) => void): () => void {
    let removed = false;
    // The call is queued; a removal made before it runs still stops it.
    const call = (error: Error) =>
      queueMicrotask(() => {
        if (!removed) listener(error);
      });
    if (this.#refused !== undefined) call(this.#refused);
    else this.#onRefused = call;
    return () => {
      removed = true;
      if (this.#onRefused === call) this.#onRefused = undefined;
    };
  }

  /** A session was established: the next failure starts a new round. */
  established(): void {
    this.#failures = 0;
  }

  /**
   * Counts a failed or lost connection and says when to try the next server:
   * after a random part of `reconnectDelay` when a live connection was lost,
   * after `cycleDelay` when a whole round failed, at once otherwise.
   *
   * @param error Why the connection failed.
   * @param wasConnected Whether it was a live connection.
   * @param everConnected Whether a session was ever established (refusals
   *   count only before).
   * @param delay A delay chosen by the caller (moving to another server),
   *   taken as it is: the failure is still counted.
   * @returns The delay in milliseconds.
   */
  failed(error: Error, wasConnected: boolean, everConnected: boolean, delay?: number): number {
    const { random, reconnectDelay, cycleDelay } = this.#options;
    const hosts = this.#hosts;
    this.#failures++;
    if (!everConnected) this.#countRefusal(error);
    if (delay !== undefined) return delay;
    if (wasConnected) return Math.floor(random() * reconnectDelay);
    return this.#failures % hosts.size === 0 ? cycleDelay : 0;
  }

  #countRefusal(error: Error): void {
    const size = this.#hosts.size;
    if (isRefused(error)) this.#refusedInRound++;
    if (this.#failures % size !== 0) return;
    if (this.#refusedInRound === size && this.#refused === undefined) {
      this.#refused = error;
      const listener = this.#onRefused;
      this.#onRefused = undefined;
      listener?.(error);
    }
    this.#refusedInRound = 0;
  }
}

/**
 * Whether a connection attempt failed because nothing listens on the port:
 * Node and Bun say ECONNREFUSED, Deno `ConnectionRefused`, maybe as a cause.
 */
function isRefused(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === "ECONNREFUSED" || e.name === "ConnectionRefused") return true;
    if (/connection refused|ECONNREFUSED/i.test(e.message)) return true;
  }
  return false;
}
