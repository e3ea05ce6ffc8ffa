/**
 * One timer that backs off: each failure waits twice as long as the one
 * before, up to a ceiling, until a success starts it over. Work that failed
 * for a reason that will not pass at once (a reply over the receive limit, a
 * node the registry may not read) is tried again at that pace, never in a
 * loop.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../util/clock.ts";

/** The first wait after a failure, in milliseconds. */
export const BACKOFF_FIRST = 1000;
/** The longest wait, in milliseconds. */
export const BACKOFF_MAX = 60_000;

/** A backing-off timer on a clock. */
export class Backoff {
  readonly #clock: Clock;
  #delay = BACKOFF_FIRST;
  #timer: TimerHandle | undefined;
  #armed = false;

  /** @param clock The clock it waits on. */
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Whether a call is scheduled. */
  get armed(): boolean {
    return this.#armed;
  }

  /**
   * Schedules `fn` after the current wait (unless a call is scheduled
   * already), and doubles the next wait.
   *
   * @param fn What to run.
   */
  schedule(fn: () => void): void {
    if (this.#armed) return;
    this.#armed = true;
    const delay = this.#delay;
    this.#delay = Math.min(delay * 2, BACKOFF_MAX);
    this.#timer = this.#clock.setTimeout(() => {
      this.#armed = false;
      fn();
    }, delay);
  }

  /** A success: the next failure waits the first wait again. */
  reset(): void {
    this.#delay = BACKOFF_FIRST;
  }

  /** Cancels the scheduled call and starts over. */
  cancel(): void {
    if (this.#armed) this.#clock.clearTimeout(this.#timer);
    this.#armed = false;
    this.reset();
  }
}
