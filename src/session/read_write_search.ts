/**
 * The search for a read-write server while connected to a read-only one:
 * ask the other servers in turn whether they serve writes (the "isro"
 * four-letter word), backing off from the first delay to a minute, and report
 * the first that does. What `ClientCnxn.SendThread.pingRwServer` does.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/ClientCnxn.java
 * @module
 */

import type { TlsOptions, Transport } from "../transport/transport.ts";
import type { Clock, TimerHandle } from "./clock.ts";
import type { HostRing } from "./host_ring.ts";
import { isReadWrite } from "./probe.ts";

const MAX_DELAY = 60_000;

/** What a {@linkcode ReadWriteSearch} probes with: the session's options themselves. */
export interface ReadWriteSearchOptions {
  /** Opens the probe connections. */
  readonly transport: Transport;
  /** TLS for the probes. */
  readonly tls?: TlsOptions | undefined;
  /** Timers. */
  readonly clock: Clock;
}

/** Probes the other servers for one that serves writes. */
export class ReadWriteSearch {
  readonly #ring: HostRing;
  readonly #options: ReadWriteSearchOptions;
  readonly #found: (index: number) => void;
  #timer: TimerHandle | undefined;
  #generation = 0;
  // Kept across searches, so that each search goes on where the last stopped.
  #probeIndex = 0;

  /**
   * @param ring The servers; the current one is skipped.
   * @param options The transport, TLS and timers of the probes.
   * @param found Called with the position of a server that serves writes.
   */
  constructor(ring: HostRing, options: ReadWriteSearchOptions, found: (index: number) => void) {
    this.#ring = ring;
    this.#options = options;
    this.#found = found;
  }

  /**
   * Starts searching (nothing to search with a single server).
   *
   * @param delay The wait before the first probe, in milliseconds.
   */
  start(delay: number): void {
    this.stop();
    if (this.#ring.size < 2) return;
    this.#schedule(delay, this.#generation);
  }

  /** Stops searching; a probe under way is ignored. */
  stop(): void {
    this.#generation++;
    this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(delay: number, generation: number): void {
    const { clock, transport, tls } = this.#options;
    const ring = this.#ring;
    this.#timer = clock.setTimeout(async () => {
      this.#probeIndex = (this.#probeIndex + 1) % ring.size;
      if (this.#probeIndex === ring.index) this.#probeIndex = (this.#probeIndex + 1) % ring.size;
      const index = this.#probeIndex;
      const readWrite = await isReadWrite(transport, ring.at(index), tls, clock);
      if (generation !== this.#generation) return;
      if (readWrite) this.#found(index);
      else this.#schedule(Math.min(delay * 2, MAX_DELAY), generation);
    }, delay);
  }
}
