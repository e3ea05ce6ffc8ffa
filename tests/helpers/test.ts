/**
 * `describe`, `it` and the hooks of `node:test`, with a time limit on every
 * test and hook. Node's `--test-timeout` limits a whole file, Deno has no
 * flag at all, and Bun's `--timeout` only covers Bun: a limit given here
 * holds on every runner, so a test that waits for an event that never comes
 * fails under its own name instead of hanging the run.
 *
 * @module
 */

import * as nodeTest from "node:test";

/** How long one test may run, in milliseconds. */
export const TEST_TIMEOUT = 60_000;
/** How long one hook may run: a hook may start an ensemble of JVMs. */
export const HOOK_TIMEOUT = 120_000;

/** A test's or a hook's body. */
type Body = () => void | Promise<void>;
/** What a test takes besides its body. */
export interface TestOptions {
  /** Its time limit, in milliseconds. @default {TEST_TIMEOUT} */
  timeout?: number;
  /** Leaves it out on runtimes it does not concern. */
  skip?: boolean;
}

/**
 * A suite: its body declares the tests.
 *
 * @param name What the suite is about.
 * @param body Declares its tests and hooks.
 */
export function describe(name: string, body: () => void): void {
  nodeTest.describe(name, body);
}

/**
 * A test, failed by name when it runs past its limit.
 *
 * @param name A sentence saying what it shows.
 * @param options The limit, or the body.
 * @param body The body when options are given.
 */
export function it(name: string, options: TestOptions | Body, body?: Body): void {
  const fn = typeof options === "function" ? options : body;
  const given = typeof options === "function" ? {} : options;
  nodeTest.it(name, { timeout: TEST_TIMEOUT, ...given }, fn);
}

/** Runs once before the suite's tests. @param fn The hook. */
export function before(fn: Body): void {
  nodeTest.before(fn, { timeout: HOOK_TIMEOUT });
}

/** Runs once after the suite's tests. @param fn The hook. */
export function after(fn: Body): void {
  nodeTest.after(fn, { timeout: HOOK_TIMEOUT });
}

/** Runs before each test of the suite. @param fn The hook. */
export function beforeEach(fn: Body): void {
  nodeTest.beforeEach(fn, { timeout: HOOK_TIMEOUT });
}

/** Runs after each test of the suite. @param fn The hook. */
export function afterEach(fn: Body): void {
  nodeTest.afterEach(fn, { timeout: HOOK_TIMEOUT });
}
