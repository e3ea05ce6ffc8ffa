/**
 * The caller's frames in the error of a reply. An error made where a reply
 * is read names no caller. Read again where the call's promise is awaited,
 * the stack holds the async functions that wait for it: V8 and
 * JavaScriptCore record that chain as they run, so a call that succeeds
 * captures nothing, where a stack taken at every call costs microseconds.
 *
 * @module
 */

import { ZooKeeperError } from "../protocol/errors.ts";

/**
 * Waits for a reply; an error of the library it rejects with gets the frames
 * of the code awaiting the call in place of the reply reader's. The chain
 * reaches the callers that `await` (on JavaScriptCore, not through `then`);
 * without any, the error keeps its own stack.
 *
 * @param reply The call's promise.
 * @returns The reply.
 */
export const withCallerFrames: <T>(reply: Promise<T>) => Promise<T> = "Bun" in globalThis
  ? awaitReply
  // V8 follows the chain from a rejection handler too, which costs a promise
  // where an async function costs its frame, its promise and an await.
  : (reply) => reply.then(undefined, withFrames);

// JavaScriptCore reaches the callers only from an async function.
async function awaitReply<T>(reply: Promise<T>): Promise<T> {
  try {
    return await reply;
  } catch (error) {
    withFrames(error, 3);
  }
}

// `skip`: the lines above the caller's frames (the first names the Error made
// here, the next is this function, and the async function calling it when
// there is one).
function withFrames(error: unknown, skip = 2): never {
  if (error instanceof ZooKeeperError) {
    const frames = new Error().stack?.split("\n").slice(skip) ?? [];
    if (frames.length > 0) error.stack = `${error.name}: ${error.message}\n${frames.join("\n")}`;
  }
  throw error;
}
