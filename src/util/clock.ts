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

/**
 * The longest delay runtimes schedule: 2^31 - 1 ms (about 24.8 days). Node,
 * Deno, Bun and browsers run a longer timer at once.
 */
export const MAX_TIMER_DELAY = 0x7fff_ffff;

/**
 * A delay as a runtime can schedule it: within 0 and
 * {@linkcode MAX_TIMER_DELAY}, never `NaN`.
 *
 * @param ms The delay wanted, in milliseconds.
 * @returns The delay to schedule.
 */
export function clampDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return ms > MAX_TIMER_DELAY ? MAX_TIMER_DELAY : ms;
}

/**
 * The real clock: `performance.now()`, `Date.now()` and the global timers,
 * with delays clamped to what the runtime schedules (a longer one would fire
 * at once).
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, clampDelay(ms)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const METHODS = ["now", "wallNow", "setTimeout", "clearTimeout"] as const;

/**
 * The clock a `clock` option gives, checked: a value from plain JavaScript
 * that is not a {@linkcode Clock} is refused where it is given rather than
 * failing at its first timer.
 *
 * @param clock The option's value.
 * @returns `clock`, or {@linkcode systemClock} when it is `undefined`.
 * @throws {TypeError} When `clock` lacks one of the four methods.
 */
export function clockOption(clock: Clock | undefined): Clock {
  if (clock === undefined) return systemClock;
  const value = clock as unknown as Record<string, unknown> | null;
  const missing = METHODS.find((m) => typeof value?.[m] !== "function");
  if (typeof value !== "object" || missing !== undefined) {
    throw new TypeError(
      `Invalid clock: expected an object with the methods ${METHODS.join(", ")}` +
        (value !== null && typeof value === "object" ? ` (${missing} is missing)` : ""),
    );
  }
  return clock;
}
