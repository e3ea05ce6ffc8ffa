/**
 * Spacing of calls to ZooKeeper, as a token bucket: a burst of `calls` passes
 * at once, then each call waits for a token, and tokens come back at `calls`
 * per `period`. ndServiceRegistry's `rate_limit_calls` / `rate_limit_time`
 * differ: they sleep when the average time between the last `calls` calls is
 * under `rate_limit_time`; `{ calls: N, period: N * T * 1000 }` is about
 * their (`N`, `T` seconds).
 *
 * @module
 */

import { systemClock } from "../util/clock.ts";
import { sleep } from "../util/sleep.ts";

/** Settings of a {@linkcode RateLimiter}. */
export interface RateLimit {
  /** Calls allowed per period. */
  calls: number;
  /** The period, in milliseconds. */
  period: number;
}

/** A token bucket of `calls` tokens, refilled at `calls` per `period` ms. */
export class RateLimiter {
  readonly #calls: number;
  readonly #period: number;
  #tokens: number;
  #updated: number;
  #queue: Promise<void> = Promise.resolve();

  /**
   * @param limit Calls per period.
   */
  constructor(limit: RateLimit) {
    if (!(limit.calls > 0) || !(limit.period > 0)) {
      throw new RangeError("A rate limit needs calls > 0 and period > 0");
    }
    this.#calls = limit.calls;
    this.#period = limit.period;
    this.#tokens = limit.calls;
    this.#updated = Date.now();
  }

  /** Waits for a token: at once during a burst, then as tokens come back. */
  take(): Promise<void> {
    const turn = this.#queue.then(() => this.#wait());
    this.#queue = turn;
    return turn;
  }

  async #wait(): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.#tokens = Math.min(
        this.#calls,
        this.#tokens + ((now - this.#updated) * this.#calls) / this.#period,
      );
      this.#updated = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      const wait = ((1 - this.#tokens) * this.#period) / this.#calls;
      await sleep(systemClock, Math.ceil(wait));
    }
  }
}
