/**
 * Collecting watch events in tests, and waiting for a number of them.
 *
 * @module
 */

import type { WatchedEvent } from "../../mod.ts";

/** Collects events as `"<type> <path>"` and waits for a number of them. */
export class Events {
  /** The events so far, in order. */
  readonly list: string[] = [];
  #waiters: { n: number; resolve: () => void }[] = [];

  /**
   * @param filter Which events to keep; every one by default.
   */
  constructor(readonly filter: (e: WatchedEvent) => boolean = () => true) {}

  /** A watcher that records each event. */
  readonly watch = (e: WatchedEvent): void => {
    if (!this.filter(e)) return;
    this.list.push(`${e.type} ${e.path}`);
    this.#waiters = this.#waiters.filter((w) => {
      if (this.list.length < w.n) return true;
      w.resolve();
      return false;
    });
  };

  /**
   * Resolves once `n` events have arrived.
   *
   * @param n How many.
   * @param ms How long to wait.
   * @returns The events so far.
   * @throws {Error} When `ms` pass first.
   */
  async waitFor(n: number, ms = 5000): Promise<string[]> {
    if (this.list.length >= n) return this.list;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.#waiters.push({ n, resolve })),
      new Promise<void>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`got ${JSON.stringify(this.list)}, wanted ${n} events`)),
          ms,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    return this.list;
  }
}
