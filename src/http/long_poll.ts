/**
 * Blocking queries as Consul has them: `?index=<version>&wait=30s` answers
 * as soon as the result's version differs from `index`, or when `wait` has
 * passed, so a poller costs nothing while nothing changes. Waiters are
 * counted, and refused past the limit.
 *
 * @module
 */

import type { Clock } from "../util/clock.ts";
import { HttpError } from "./respond.ts";

/** The waiters of one gateway, bounded. */
export class LongPolls {
  readonly #max: number;
  readonly #clock: Clock;
  #waiting = 0;

  /**
   * @param max The most requests waiting at once.
   * @param clock Times the waits.
   */
  constructor(max: number, clock: Clock) {
    this.#max = max;
    this.#clock = clock;
  }

  /** @returns How many requests wait now. */
  get waiting(): number {
    return this.#waiting;
  }

  /**
   * Waits until `current()`'s version differs from `index`.
   *
   * @param index The version the caller has.
   * @param ms The most to wait, in milliseconds.
   * @param current Reads the result now.
   * @param versionOf Its version.
   * @param listen Calls its argument on every change; returns a remover.
   * @param signal Aborts the wait (the caller went away, the gateway closes).
   * @returns The result: changed, or the same one after `ms`.
   * @throws {HttpError} 429 when too many wait already.
   */
  async wait<T>(
    index: string,
    ms: number,
    current: () => Promise<T>,
    versionOf: (value: T) => string,
    listen: (onChange: () => void) => () => void,
    signal: AbortSignal,
  ): Promise<T> {
    if (this.#waiting >= this.#max) {
      throw new HttpError(429, `Too many blocking queries (limit ${this.#max})`, {
        "retry-after": "1",
      });
    }
    this.#waiting++;
    // Listen before reading, so a change between the two is not missed.
    let wake = () => {};
    let dirty = false;
    const onChange = () => {
      dirty = true;
      wake();
    };
    const off = listen(onChange);
    let timedOut = false;
    const timer = this.#clock.setTimeout(() => {
      timedOut = true;
      onChange();
    }, ms);
    signal.addEventListener("abort", onChange);
    try {
      for (;;) {
        dirty = false;
        const value = await current();
        const over = signal.aborted || timedOut;
        if (versionOf(value) !== index || over) return value;
        if (!dirty) await new Promise<void>((resolve) => wake = resolve);
      }
    } finally {
      this.#waiting--;
      off();
      this.#clock.clearTimeout(timer);
      signal.removeEventListener("abort", onChange);
    }
  }
}
