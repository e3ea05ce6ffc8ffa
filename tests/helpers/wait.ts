/**
 * Waiting in tests for something that happens asynchronously.
 *
 * @module
 */

import type { ZooKeeper } from "../../mod.ts";

/**
 * Polls `check` until it holds.
 *
 * @param check What must come true.
 * @param what Said in the error when it does not.
 * @param ms How long to wait.
 * @throws {Error} When `ms` pass first.
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Lets in-flight notifications arrive: a round trip after a change, then a
 * moment for the watchers to run.
 *
 * @param zk The client whose notifications are awaited.
 */
export async function settle(zk: ZooKeeper): Promise<void> {
  await zk.sync("/");
  await zk.exists("/");
  await new Promise((r) => setTimeout(r, 20));
}
