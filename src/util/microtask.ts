/**
 * A microtask queued at the lowest price the runtime offers.
 *
 * @module
 */

// Node's queueMicrotask wraps each callback in an AsyncResource (for async
// hooks) and binds it; a reaction to a settled promise joins the same V8
// queue, in the same order, without either. Elsewhere queueMicrotask is the
// engine's own.
const settled = Promise.resolve();
const onNode = !("Deno" in globalThis) && !("Bun" in globalThis) &&
  typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions
      ?.node === "string";

/**
 * Runs `task` in a microtask, after every microtask queued before it. What it
 * throws is reported as queueMicrotask's would be on Deno and Bun, and as an
 * unhandled rejection on Node.
 */
export const microtask: (task: () => void) => void = onNode
  ? (task) => {
    settled.then(task);
  }
  : (task) => queueMicrotask(task);
