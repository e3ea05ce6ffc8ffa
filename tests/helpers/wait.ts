/**
 * Waiting in tests for the event that makes a condition true, bounded by a
 * time limit whose error says what was awaited.
 *
 * @module
 */

import type { ConnectionState, ZooKeeper } from "../../mod.ts";

/** How long a wait lasts before it fails, in milliseconds. */
export const WAIT_LIMIT = 20_000;

/**
 * Waits for `promise`, failing with what it stood for when `ms` pass first.
 *
 * @param promise The event.
 * @param what Said in the error, as in "timed out waiting for <what>".
 * @param ms The limit.
 * @returns What the promise gives.
 * @throws {Error} When `ms` pass first.
 */
export async function within<T>(promise: Promise<T>, what: string, ms = WAIT_LIMIT): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Checks `check` again and again until it holds: for conditions that no
 * event of the client announces, such as a server's log or a process's
 * output.
 *
 * @param check What must come true.
 * @param what Said in the error when it does not.
 * @param ms The limit.
 * @throws {Error} When `ms` pass first.
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = WAIT_LIMIT,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A state's type, or a test of the whole state. */
export type StateMatch = ConnectionState["type"] | ((state: ConnectionState) => boolean);

function matcher(match: StateMatch): (state: ConnectionState) => boolean {
  return typeof match === "function" ? match : (state) => state.type === match;
}

/**
 * Resolves with the client's next change of state that matches, ignoring
 * the state it is in now: call it before causing the change.
 *
 * @param zk The client.
 * @param match The state awaited.
 * @param what Said in the error.
 * @param ms The limit.
 * @returns The state.
 */
export function nextState(
  zk: ZooKeeper,
  match: StateMatch,
  what: string = String(match),
  ms = WAIT_LIMIT,
): Promise<ConnectionState> {
  const accept = matcher(match);
  let off = () => {};
  const changed = new Promise<ConnectionState>((resolve) => {
    off = zk.onStateChange((state) => {
      if (accept(state)) resolve(state);
    });
  });
  return within(changed, `the state ${what} (now ${zk.state.type})`, ms).finally(() => off());
}

/**
 * Resolves with the client's state once it matches: at once if it does now.
 *
 * @param zk The client.
 * @param match The state awaited.
 * @param what Said in the error.
 * @param ms The limit.
 * @returns The state.
 */
export function waitForState(
  zk: ZooKeeper,
  match: StateMatch,
  what: string = String(match),
  ms = WAIT_LIMIT,
): Promise<ConnectionState> {
  if (matcher(match)(zk.state)) return Promise.resolve(zk.state);
  return nextState(zk, match, what, ms);
}

/**
 * A barrier: resolves once every notification the server sent the client
 * before now has reached its watchers. The server answers a session's
 * requests in order, after the notifications of changes it applied before
 * them (`sync` first catches the server up with the leader), and the client
 * runs watchers in wire order before a later reply's continuation. So a
 * watcher that has not run when this resolves was not triggered by a change
 * made before it: "nothing more happens" holds without waiting a while.
 * Work that an event starts and that makes requests of its own (a cache
 * reading what changed) needs one more round per step.
 *
 * @param zk The client whose notifications are awaited.
 * @param rounds How many barriers in a row.
 */
export async function settle(zk: ZooKeeper, rounds = 1): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await zk.sync("/");
    await zk.exists("/");
  }
}
