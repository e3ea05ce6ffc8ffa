/**
 * Time behind an interface: everything in the library that waits, times out,
 * backs off or reads the time does it through one {@linkcode Clock}, so that a
 * fake clock drives all of it in tests.
 *
 * @module
 */

/** A handle of a scheduled callback. */
export type TimerHandle = unknown;

/**
 * The timers and the time the library uses. {@linkcode systemClock} is the
 * real one; a test gives a fake one (`FakeClock` from
 * `@nd/service-registry/testing`) to `ZooKeeper.connect`, `Registry.connect`
 * or the gateway's `serve`.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale, for durations and deadlines. */
  now(): number;
  /**
   * Milliseconds since the Unix epoch, for times written as data (a
   * registration's `created` and `registrationTimeUTC`, a TTL's expiry).
   */
  wallNow(): number;
  /** Calls `fn` after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a callback scheduled by {@linkcode Clock.setTimeout}. */
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: `performance.now()`, `Date.now()` and the global timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
