/**
 * What closing a session waits for, each for a while only: a connection to
 * the session to send closeSession on, then the server's answer to it.
 *
 * @module
 */

import type { Clock, TimerHandle } from "./clock.ts";

/** The bounded waits of `Session.close()`. */
export class CloseWait {
  readonly #clock: Clock;
  // Set while close() waits for a connection to send closeSession on.
  #reached: (() => void) | undefined;

  /** @param clock Timers. */
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Whether a wait for a connection is running. */
  get waiting(): boolean {
    return this.#reached !== undefined;
  }

  /**
   * Waits until {@linkcode CloseWait.reached} is called, or the time is up.
   *
   * @param timeout The longest wait, in milliseconds.
   * @returns Resolves either way.
   */
  forConnection(timeout: number): Promise<void> {
    const clock = this.#clock;
    return new Promise((resolve) => {
      const timer = clock.setTimeout(() => this.#reached?.(), timeout);
      this.#reached = () => {
        this.#reached = undefined;
        clock.clearTimeout(timer);
        resolve();
      };
    });
  }

  /** A connection to the session is ready (or the session ended): the wait ends. */
  reached(): void {
    this.#reached?.();
  }

  /**
   * Waits for a reply, or until the time is up.
   *
   * @param reply The reply; a rejection counts as an answer.
   * @param timeout The longest wait, in milliseconds.
   * @returns Resolves either way.
   */
  async forReply(reply: Promise<unknown>, timeout: number): Promise<void> {
    let timer: TimerHandle | undefined;
    await Promise.race([
      reply.catch(() => {}),
      new Promise<void>((resolve) => {
        timer = this.#clock.setTimeout(resolve, timeout);
      }),
    ]);
    this.#clock.clearTimeout(timer);
  }
}
