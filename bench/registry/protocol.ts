/**
 * What the driver (`run.ts`) and a watcher program say to each other, one
 * JSON object a line. Programs in other languages (`CuratorWatchers.java`,
 * `kazoo_watchers.py`) speak the same lines.
 *
 * Driver → program, on stdin: an {@linkcode Expectation}, or `"quit"`.
 *
 * Program → driver, on stdout (`t` is wall-clock time in milliseconds since
 * the epoch, with a fraction, so the processes' clocks compare; `cpuUs` is the
 * CPU time, user and system, the whole program has used so far, in
 * microseconds):
 * - `{"type":"ready","t","memoryBytes","memoryMethod"}` once every watcher
 *   holds the whole service;
 * - `{"type":"ack","id","cpuUs"}` once an expectation is registered;
 * - `{"type":"seen","id","w","t","cpuUs"}` when watcher `w`'s view first
 *   satisfies it;
 * - `{"type":"state","w","state","t"}` on its connection's changes
 *   (`connected` again, `disconnected`);
 * - `{"type":"error","message"}`.
 *
 * @module
 */

/** A state the watchers must reach: each named child with this `rev`, or absent (`null`). */
export interface Expectation {
  /** Names the expectation in `seen` lines. */
  id: string;
  /** Child name → the `rev` field of its JSON data, or `null` for "removed". */
  want: Record<string, string | null>;
}

/** A line a watcher program prints. */
export type ProgramLine =
  | { type: "ready"; t: number; memoryBytes?: number; memoryMethod?: string }
  | { type: "ack"; id: string; cpuUs?: number }
  | { type: "seen"; id: string; w: number; t: number; cpuUs?: number }
  | { type: "state"; w: number; state: string; t: number }
  | { type: "error"; message: string };

/**
 * The largest reply every watcher program accepts, in bytes: a listing of
 * 100,000 children is 1.8 MB, over the clients' default of about 1 MB.
 */
export const MAX_REPLY = 8 * 1024 * 1024;

/** Wall-clock milliseconds, with a fraction. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

const encoder = new TextEncoder();

/** Prints one line on stdout. */
export function send(line: ProgramLine): void {
  Deno.stdout.writeSync(encoder.encode(JSON.stringify(line) + "\n"));
}

/** Splits a byte stream into lines. */
export async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let at;
    while ((at = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, at).trim();
      buffered = buffered.slice(at + 1);
      if (line !== "") yield line;
    }
  }
  if (buffered.trim() !== "") yield buffered.trim();
}

/** The driver's commands, read from stdin. */
export async function* readCommands(): AsyncGenerator<Expectation | "quit"> {
  for await (const line of lines(Deno.stdin.readable)) {
    const command = JSON.parse(line) as Expectation | "quit";
    yield command;
    if (command === "quit") return;
  }
}
