/**
 * A child process's stdout line by line, with its stderr and its exit: what
 * the tests that run another program (the command line, kazoo, Curator)
 * read it by. A wait ends when a line comes or the child exits, bounded by a
 * time limit that names what was awaited.
 *
 * @module
 */

import type { ChildProcess } from "node:child_process";
import { within } from "./wait.ts";

const decoder = new TextDecoder();

/** The lines a child prints, taken in order or by what they hold. */
export class ChildLines {
  /** The exit code (`null` when a signal ended it). */
  readonly exited: Promise<number | null>;
  readonly #lines: string[] = [];
  #partial = "";
  #stderr = "";
  #closed = false;
  readonly #waiting = new Set<() => void>();

  /** @param child The child, its stdout and stderr piped. */
  constructor(child: ChildProcess) {
    child.stdout!.on("data", (chunk: Uint8Array) => {
      const parts = (this.#partial + decoder.decode(chunk)).split("\n");
      this.#partial = parts.pop()!;
      this.#lines.push(...parts);
      this.#wakeAll();
    });
    child.stderr!.on("data", (chunk: Uint8Array) => this.#stderr += decoder.decode(chunk));
    this.exited = new Promise((resolve) => {
      child.once("close", (code) => {
        if (this.#partial !== "") this.#lines.push(this.#partial);
        this.#partial = "";
        this.#closed = true;
        this.#wakeAll();
        resolve(code);
      });
    });
  }

  /** Everything written to stderr so far. */
  get stderr(): string {
    return this.#stderr;
  }

  /**
   * Takes the next line.
   *
   * @param what The program, named in errors.
   * @param ms The time limit.
   * @returns The line.
   */
  next(what: string, ms?: number): Promise<string> {
    return within(
      this.#take(() => this.#lines.length > 0 ? 0 : -1, what),
      `a line from ${what}`,
      ms,
    )
      .then((i) => this.#lines.splice(i, 1)[0]);
  }

  /**
   * Takes the first line, printed or to come, that parses as JSON to a value
   * `match` accepts; the lines before it stay for later calls.
   *
   * @param match Accepts the value awaited.
   * @param what What is awaited, named in errors.
   * @param ms The time limit.
   * @returns The value.
   */
  async waitFor<T>(match: (value: T) => boolean, what: string, ms?: number): Promise<T> {
    let scanned = 0;
    const find = () => {
      for (; scanned < this.#lines.length; scanned++) {
        if (match(JSON.parse(this.#lines[scanned]) as T)) return scanned;
      }
      return -1;
    };
    const i = await within(this.#take(find, what), what, ms);
    return JSON.parse(this.#lines.splice(i, 1)[0]) as T;
  }

  // Resolves with the index `find` gives, once it gives one.
  async #take(find: () => number, what: string): Promise<number> {
    for (;;) {
      const i = find();
      if (i >= 0) return i;
      if (this.#closed) {
        throw new Error(
          `${what}: the program exited first; lines: ${this.#lines}; ${this.#stderr}`,
        );
      }
      await new Promise<void>((resolve) => this.#waiting.add(resolve));
    }
  }

  #wakeAll(): void {
    for (const wake of this.#waiting) wake();
    this.#waiting.clear();
  }
}
