/**
 * A watcher program run by the driver: spawned with its W watchers, fed
 * expectations on stdin, its lines (see `protocol.ts`) kept and awaited.
 *
 * @module
 */

import { type Expectation, lines, type ProgramLine } from "./protocol.ts";

/** A running watcher program. */
export class WatcherProgram {
  readonly label: string;
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #received: ProgramLine[] = [];
  readonly #waiters = new Set<() => void>();
  readonly #stderr: string[] = [];
  #exited = false;

  constructor(label: string, command: string[], cwd: string) {
    this.label = label;
    this.#child = new Deno.Command(command[0], {
      args: command.slice(1),
      cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#read();
    this.#child.status.then(() => {
      this.#exited = true;
      this.#wake();
    });
  }

  async #read(): Promise<void> {
    const errors = (async () => {
      for await (const line of lines(this.#child.stderr)) {
        this.#stderr.push(line);
        if (this.#stderr.length > 40) this.#stderr.shift();
      }
    })();
    for await (const line of lines(this.#child.stdout)) {
      if (!line.startsWith("{")) continue;
      const parsed = JSON.parse(line) as ProgramLine;
      if (parsed.type === "error") console.error(`${this.label}: ${parsed.message}`);
      this.#received.push(parsed);
      this.#wake();
    }
    await errors;
  }

  #wake(): void {
    for (const waiter of this.#waiters) waiter();
  }

  /** Every line received so far, in order. */
  get received(): readonly ProgramLine[] {
    return this.#received;
  }

  /**
   * Waits until `done` says yes about the lines received so far.
   *
   * @throws {Error} after `timeoutMs`, or when the program exits first.
   */
  waitUntil(what: string, done: (received: readonly ProgramLine[]) => boolean, timeoutMs: number) {
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (done(this.#received)) finish();
        else if (this.#exited) fail(`${this.label} exited before ${what}`);
      };
      const finish = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const fail = (message: string) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        reject(new Error(`${message}\n${this.#stderr.join("\n")}`));
      };
      const timer = setTimeout(
        () => fail(`${this.label}: no ${what} in ${timeoutMs} ms`),
        timeoutMs,
      );
      this.#waiters.add(check);
      check();
    });
  }

  /** Registers an expectation and waits for its acknowledgement. */
  async expect(expectation: Expectation): Promise<void> {
    await this.#write(JSON.stringify(expectation));
    await this.waitUntil(
      `ack of ${expectation.id}`,
      (r) => r.some((l) => l.type === "ack" && l.id === expectation.id),
      30_000,
    );
  }

  /** The times at which each watcher first satisfied expectation `id`. */
  seen(id: string): number[] {
    return this.#received.flatMap((l) => l.type === "seen" && l.id === id ? [l.t] : []);
  }

  /**
   * The CPU time the program used from the acknowledgement of expectation
   * `id` until the last of its watchers saw it, in microseconds; `undefined`
   * when the program does not report it.
   */
  cpuUs(id: string): number | undefined {
    let acked: number | undefined;
    let last: number | undefined;
    for (const l of this.#received) {
      if (l.type === "ack" && l.id === id) acked = l.cpuUs;
      if (l.type === "seen" && l.id === id && l.cpuUs !== undefined) {
        last = Math.max(last ?? l.cpuUs, l.cpuUs);
      }
    }
    return acked === undefined || last === undefined ? undefined : last - acked;
  }

  /** Tells the program to stop, and waits (killing it after 20 s). */
  async quit(): Promise<void> {
    try {
      await this.#write(JSON.stringify("quit"));
      await this.#stdin.close();
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }, 20_000);
    await this.#child.status;
    clearTimeout(timer);
  }

  #write(text: string): Promise<void> {
    return this.#stdin.write(new TextEncoder().encode(text + "\n"));
  }
}
