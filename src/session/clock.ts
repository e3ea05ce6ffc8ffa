/**
 * Time behind an interface, so that session timers can be driven by a fake
 * clock in tests.
 *
 * @module
 */

/** A handle of a scheduled callback. */
export type TimerHandle = unknown;

/** The timers and the time a session needs. */
export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
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
 * The real clock: `performance.now()` and the global timers, with delays
 * clamped to what the runtime schedules (a longer one would fire at once).
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, clampDelay(ms)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
