/**
 * Server-sent events: a `text/event-stream` body that sends one event per
 * change with the version as its `id:`, resumes after `Last-Event-ID`
 * (sending the current state when that id is not the current one), sends a
 * comment now and then so proxies keep it open, and cuts a subscriber that
 * stops reading, dropping what was queued for it, rather than buffering for
 * it without bound (its `EventSource` reconnects and catches up with
 * `Last-Event-ID`).
 *
 * @module
 */

import type { Clock, TimerHandle } from "../util/clock.ts";
import { cachedJson, COMMON_HEADERS, HttpError } from "./respond.ts";

/** One event. */
export interface ServerEvent {
  /** The event's name (`event:`). */
  event: string;
  /** Sent as JSON (`data:`). */
  data: unknown;
  /** The version (`id:`), if any. */
  id?: string | undefined;
}

/** What a stream follows. */
export interface EventSourceFeed {
  /** The events to send first, given the client's `Last-Event-ID`. */
  initial(lastEventId: string | null): ServerEvent[];
  /** Subscribes `send` to later events; returns the unsubscriber. */
  subscribe(send: (event: ServerEvent) => void): () => void;
}

/** Limits of {@linkcode EventStreams}. */
export interface EventStreamLimits {
  /** The most streams open at once. */
  maxSubscribers: number;
  /** Milliseconds between keep-alive comments. */
  keepAlive: number;
  /** Bytes queued for a subscriber that does not read, past which it is cut. */
  maxQueuedBytes: number;
  /** Bytes queued for all subscribers together, past which a stream behind is cut. */
  maxTotalQueuedBytes: number;
}

const encoder = new TextEncoder();

/**
 * Formats one event.
 *
 * @param event The event.
 * @returns Its text on the wire.
 */
export function formatEvent(event: ServerEvent): string {
  const id = event.id === undefined ? "" : `id: ${event.id}\n`;
  return `${id}event: ${event.event}\ndata: ${cachedJson(event.data)}\n`;
}

// The reason a stream is cut with: a server that reports a failed body
// (Deno.serve logs it) shows one line, not the stack of the event that found
// the queue full.
function stalledError(): Error {
  const error = new Error("Event stream cut: its subscriber had not read what was queued");
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

/** The event streams of one gateway, bounded. */
export class EventStreams {
  readonly #limits: EventStreamLimits;
  readonly #clock: Clock;
  readonly #closers = new Set<() => void>();
  #delivered = 0;
  #queued = 0;

  /**
   * @param limits The bounds.
   * @param clock Times the keep-alive comments.
   */
  constructor(limits: EventStreamLimits, clock: Clock) {
    this.#limits = limits;
    this.#clock = clock;
  }

  /** @returns How many streams are open. */
  get count(): number {
    return this.#closers.size;
  }

  /** @returns Bytes queued for subscribers, as last seen by each stream. */
  get queuedBytes(): number {
    return this.#queued;
  }

  /** @returns How many events were written to streams. */
  get delivered(): number {
    return this.#delivered;
  }

  /**
   * Opens a stream.
   *
   * @param feed What it follows.
   * @param lastEventId The client's `Last-Event-ID`.
   * @param signal Ends it (the client went away).
   * @returns The response.
   * @throws {HttpError} 429 when too many are open.
   */
  open(feed: EventSourceFeed, lastEventId: string | null, signal: AbortSignal): Response {
    if (this.#closers.size >= this.#limits.maxSubscribers) {
      throw new HttpError(429, `Too many event streams (limit ${this.#limits.maxSubscribers})`, {
        "retry-after": "5",
      });
    }
    let close = () => {};
    let recount = () => {};
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        let ended = false;
        // What this stream has queued, as counted in the total.
        let mine = 0;
        const limit = this.#limits.maxQueuedBytes;
        // While the opening line and the first events are queued: they go
        // out whatever their size, so a catalog larger than the budget still
        // reaches a subscriber that reads.
        let opening = true;
        const countQueued = () => {
          const now = limit - (controller.desiredSize ?? limit);
          this.#queued += now - mine;
          mine = now;
        };
        recount = () => {
          if (!ended) countQueued();
        };
        let unsubscribe = () => {};
        let timer: TimerHandle | undefined;
        // Ends the stream: what is queued still goes out, unless the
        // subscriber stopped reading; then the queue is dropped now and the
        // connection cut, rather than held until the client hangs up (its
        // `EventSource` reconnects, and `Last-Event-ID` gets it the state).
        const end = (stalled: boolean) => {
          if (ended) return;
          ended = true;
          unsubscribe();
          if (timer !== undefined) this.#clock.clearTimeout(timer);
          signal.removeEventListener("abort", close);
          this.#closers.delete(close);
          this.#queued -= mine;
          mine = 0;
          try {
            if (stalled) controller.error(stalledError());
            else controller.close();
          } catch {
            // Already cancelled by the client.
          }
        };
        const write = (text: string) => {
          if (ended) return;
          countQueued();
          const bytes = encoder.encode(text);
          // An event always fits an empty queue, so one larger than the
          // budget still reaches a subscriber that reads.
          const over = mine > 0 && ((!opening && mine + bytes.length > limit) ||
            this.#queued + bytes.length > this.#limits.maxTotalQueuedBytes);
          if (over) return end(true);
          controller.enqueue(bytes);
          mine += bytes.length;
          this.#queued += bytes.length;
        };
        const send = (event: ServerEvent) => {
          write(formatEvent(event));
          this.#delivered++;
        };
        unsubscribe = feed.subscribe(send);
        if (ended) return unsubscribe();
        const keepAlive = () => {
          write(": keep-alive\n\n");
          if (!ended) timer = this.#clock.setTimeout(keepAlive, this.#limits.keepAlive);
        };
        timer = this.#clock.setTimeout(keepAlive, this.#limits.keepAlive);
        close = () => end(false);
        this.#closers.add(close);
        signal.addEventListener("abort", close, { once: true });
        write("retry: 1000\n\n");
        for (const event of feed.initial(lastEventId)) send(event);
        opening = false;
        if (signal.aborted) close();
      },
      pull: () => recount(),
      cancel: () => close(),
    }, { highWaterMark: this.#limits.maxQueuedBytes, size: (chunk) => chunk.length });
    return new Response(body, {
      status: 200,
      headers: {
        ...COMMON_HEADERS,
        "content-type": "text/event-stream; charset=utf-8",
        "x-accel-buffering": "no",
      },
    });
  }

  /** Ends every stream. */
  close(): void {
    for (const close of [...this.#closers]) close();
  }
}
