/**
 * A clock for unit tests: time moves only when the test says so.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../../src/session/clock.ts";

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

/** A {@linkcode Clock} driven by {@linkcode FakeClock.advance}. */
export class FakeClock implements Clock {
  #now = 0;
  #nextId = 1;
  #timers: Timer[] = [];

  /** The current fake time in milliseconds. */
  now(): number {
    return this.#now;
  }

  /**
   * Schedules `fn` at now + `ms`. A delay past 2^31 - 1 ms runs at once, as
   * every runtime's timers do, so that the fake shows what the real clock
   * would do with it.
   */
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const delay = ms > 0x7fff_ffff ? 1 : Math.max(0, ms);
    const timer = { id: this.#nextId++, at: this.#now + delay, fn };
    this.#timers.push(timer);
    return timer.id;
  }

  /** Cancels a scheduled callback. */
  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  /** Number of callbacks still scheduled. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, running every callback that falls due, in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.#timers[0];
      if (next === undefined || next.at > end) break;
      this.#timers.shift();
      this.#now = next.at;
      next.fn();
    }
    this.#now = end;
  }
}
