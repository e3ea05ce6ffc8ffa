/**
 * A clock for unit tests: time moves only when the test says so.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../util/clock.ts";

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

/** Options of a {@linkcode FakeClock}. */
export interface FakeClockOptions {
  /**
   * The wall time at the start, in milliseconds since the Unix epoch: what
   * {@linkcode FakeClock.wallNow} returns before any `advance`.
   *
   * @default {0}
   */
  wallStart?: number | undefined;
}

/**
 * A {@linkcode Clock} whose time stands still until
 * {@linkcode FakeClock.advance} moves it: give it as `clock` to
 * `ZooKeeper.connect`, `Registry.connect` or the gateway's `serve`, and the
 * timeouts, backoffs, retries, health checks and TTLs all run when, and only
 * when, the test moves time past them. Its monotonic time starts at 0.
 *
 * `advance` runs the callbacks that fall due synchronously; what they start
 * continues in promise callbacks, so await the effect you expect (a state, a
 * reply, a callback) before the next step, and {@linkcode FakeClock.whenPending}
 * to know that the code under test has set its next timer.
 *
 * @example Callbacks run when time is moved past them
 * ```ts
 * import { FakeClock } from "@nd/service-registry/testing";
 *
 * const clock = new FakeClock();
 * const seen: number[] = [];
 * clock.setTimeout(() => seen.push(clock.now()), 200);
 * clock.setTimeout(() => seen.push(clock.now()), 400);
 * clock.advance(199);
 * if (seen.length !== 0) throw new Error("ran early");
 * clock.advance(300);
 * if (seen.join() !== "200,400") throw new Error(`ran at ${seen}`);
 * if (clock.now() !== 499) throw new Error("time is the sum of the advances");
 * ```
 */
export class FakeClock implements Clock {
  readonly #wallStart: number;
  #now = 0;
  #nextId = 1;
  #timers: Timer[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];

  /**
   * Creates a clock stopped at 0, which moves only when told to.
   *
   * @param options The wall time at the start.
   */
  constructor(options: FakeClockOptions = {}) {
    this.#wallStart = options.wallStart ?? 0;
  }

  /** The current fake time in milliseconds, from 0. */
  now(): number {
    return this.#now;
  }

  /** The fake wall time: `wallStart` plus the time advanced. */
  wallNow(): number {
    return this.#wallStart + this.#now;
  }

  /**
   * Schedules `fn` at now + `ms`: a negative or `NaN` delay as 0 and a delay
   * past 2^31 - 1 ms as 1, as every runtime's timers do, so that the fake
   * shows what the real clock would do with it.
   */
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const delay = ms > 0x7fff_ffff ? 1 : ms > 0 ? ms : 0;
    const timer = { id: this.#nextId++, at: this.#now + delay, fn };
    this.#timers.push(timer);
    this.#wakeWaiters();
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

  /** When the earliest scheduled callback falls due, or `undefined` when none is. */
  get nextAt(): number | undefined {
    let next: number | undefined;
    for (const t of this.#timers) if (next === undefined || t.at < next) next = t.at;
    return next;
  }

  /**
   * Waits until at least `count` callbacks are scheduled: the code under
   * test has reached its next wait.
   *
   * @param count How many.
   * @returns Resolves at once when as many are scheduled already.
   */
  whenPending(count = 1): Promise<void> {
    if (this.#timers.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  /**
   * Moves time forward by `ms`, running every callback that falls due, in
   * order, each at its own time.
   *
   * @param ms How far, in milliseconds.
   * @throws {RangeError} When `ms` is negative or not a number.
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`Cannot advance a clock by ${ms} ms`);
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

  #wakeWaiters(): void {
    const ready = this.#waiters.filter((w) => this.#timers.length >= w.count);
    this.#waiters = this.#waiters.filter((w) => this.#timers.length < w.count);
    for (const w of ready) w.resolve();
  }
}
