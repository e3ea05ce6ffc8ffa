/**
 * When a disconnected session counts as expired on the client's side, without
 * a server to say so.
 *
 * @module
 */

import type { Clock, TimerHandle } from "./clock.ts";

/** The expiry timer of a disconnected session. */
export class SessionExpiry {
  readonly #clock: Clock;
  #timer: TimerHandle | undefined;
  #due = false;
  #lastReceive = 0;

  /** @param clock Timers. */
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Whether the expiry deadline passed while a connection attempt was in flight. */
  get due(): boolean {
    return this.#due;
  }

  /**
   * Notes when a connection last heard from the server, as it closes.
   *
   * @param lastReceive When its last frame arrived, on the clock.
   */
  heard(lastReceive: number): void {
    this.#lastReceive = Math.max(this.#lastReceive, lastReceive);
  }

  /**
   * Starts counting after a live connection was lost.
   *
   * The server expires the session once it has heard nothing for the session
   * timeout, counted from its own last receipt (up to a third of the timeout
   * after ours, rounded up to a tick), and a new leader starts every session's
   * timeout afresh. The client gives up after 4/3 of the timeout without a
   * reply, the margin of ClientCnxn's expirationTimeout (ZOOKEEPER-4508), and
   * never while a handshake is in flight: its answer says whether the session
   * lives. It counts from the last frame {@linkcode SessionExpiry.heard}.
   *
   * @param timeout The negotiated session timeout.
   * @param attempting Whether a connection attempt is in flight: its answer
   *   says whether the session lives, so expiry then waits for it.
   * @param expired The session expired.
   */
  arm(
    timeout: number,
    attempting: () => boolean,
    expired: () => void,
  ): void {
    const left = this.#lastReceive + Math.floor(timeout * 4 / 3) - this.#clock.now();
    const fire = () => {
      if (attempting()) this.#due = true;
      else expired();
    };
    this.#timer = this.#clock.setTimeout(fire, Math.max(1, left));
  }

  /** Stops counting: the session was re-established or ended. */
  clear(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#due = false;
  }
}
