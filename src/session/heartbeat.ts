/**
 * Keep-alive and liveness of one connection, as `ClientCnxn.SendThread` does
 * it: with `readTimeout = 2/3` of the negotiated session timeout, a ping goes
 * out whenever nothing was sent for `readTimeout / 2`, and the connection is
 * declared lost when nothing was received for `readTimeout`, so a half-open
 * socket never passes for a live one.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/ClientCnxn.java
 * @module
 */

import type { Clock, TimerHandle } from "./clock.ts";

/** What the heartbeat asks of the connection it watches. */
export interface HeartbeatTarget {
  /** Send a ping now. */
  sendPing(): void;
  /** Nothing arrived for `readTimeout` ms: the connection is dead. */
  timedOut(readTimeout: number): void;
  /** When the connection last received bytes, on the clock. */
  lastReceive(): number;
}

/**
 * One timer that serves both the ping and the read deadline. Sends only
 * record a timestamp, and the time of the last receive is the connection's,
 * so the hot path never touches a timer.
 */
export class Heartbeat {
  readonly #clock: Clock;
  readonly #target: HeartbeatTarget;
  readonly #readTimeout: number;
  readonly #pingInterval: number;
  #lastSend: number;
  #timer: TimerHandle | undefined;
  #stopped = false;

  /**
   * Starts watching a connection.
   *
   * @param clock The time source.
   * @param target Receives pings to send and the timeout.
   * @param sessionTimeout The negotiated session timeout in milliseconds.
   */
  constructor(clock: Clock, target: HeartbeatTarget, sessionTimeout: number) {
    this.#clock = clock;
    this.#target = target;
    this.#readTimeout = Math.floor((sessionTimeout * 2) / 3);
    this.#pingInterval = Math.floor(this.#readTimeout / 2);
    this.#lastSend = clock.now();
    this.#schedule();
  }

  /** Milliseconds without a byte received before the connection is lost. */
  get readTimeout(): number {
    return this.#readTimeout;
  }

  /** Milliseconds without a byte sent before a ping is sent. */
  get pingInterval(): number {
    return this.#pingInterval;
  }

  /** Records that bytes were sent. */
  sent(): void {
    this.#lastSend = this.#clock.now();
  }

  /** Stops the timer for good. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    const now = this.#clock.now();
    const wait = Math.min(
      this.#target.lastReceive() + this.#readTimeout - now,
      this.#lastSend + this.#pingInterval - now,
    );
    this.#timer = this.#clock.setTimeout(
      () => this.#tick(),
      Math.max(1, Math.ceil(wait)),
    );
  }

  #tick(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    if (now - this.#target.lastReceive() >= this.#readTimeout) {
      this.#target.timedOut(this.#readTimeout);
      return;
    }
    if (now - this.#lastSend >= this.#pingInterval) {
      this.#lastSend = now;
      this.#target.sendPing();
    }
    if (!this.#stopped) this.#schedule();
  }
}
