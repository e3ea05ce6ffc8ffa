/**
 * Stepping a {@linkcode FakeClock} from timer to timer in timing tests.
 *
 * @module
 */

import type { FakeClock } from "../../src/testing/fake_clock.ts";

/**
 * Lets everything run that can run without time passing: every promise
 * callback queued now and those they queue in turn. A task queued on the
 * real timers runs only once the microtask queue is empty, and nothing in a
 * fake-clock test waits for I/O, so this is a barrier, not a window.
 */
export function idle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Waits for the code under test to set a timer, then moves the clock to the
 * earliest one and runs it.
 *
 * @param clock The fake clock.
 * @returns The time it ran at.
 */
export async function runNextTimer(clock: FakeClock): Promise<number> {
  await clock.whenPending();
  const at = clock.nextAt!;
  clock.advance(at - clock.now());
  return at;
}

/** A promise's outcome, readable at any moment. */
export interface Tracked<T> {
  /** `pending`, `fulfilled` or `rejected`. */
  readonly state: "pending" | "fulfilled" | "rejected";
  /** The value once fulfilled. */
  readonly value: T | undefined;
  /** The reason once rejected. */
  readonly error: unknown;
  /** The promise, settled by then. */
  readonly done: Promise<void>;
}

/**
 * Follows a promise's outcome, so that a test can assert it has not settled
 * yet (after {@linkcode idle}).
 *
 * @param promise The promise.
 * @returns Its outcome, as it stands.
 */
export function track<T>(promise: Promise<T>): Tracked<T> {
  const tracked = {
    state: "pending" as Tracked<T>["state"],
    value: undefined as T | undefined,
    error: undefined as unknown,
    done: Promise.resolve(),
  };
  tracked.done = promise.then((value) => {
    tracked.state = "fulfilled";
    tracked.value = value;
  }, (error) => {
    tracked.state = "rejected";
    tracked.error = error;
  });
  return tracked;
}
