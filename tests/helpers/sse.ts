/**
 * Reading server-sent events from a response body in tests.
 *
 * @module
 */

/** One parsed event. */
export interface ReceivedEvent {
  /** `event:`. */
  event: string;
  /** `id:`, if any. */
  id?: string;
  /** `data:`, parsed as JSON. */
  data: unknown;
}

/** Reads events one at a time from a `text/event-stream` body. */
export class EventReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = "";

  /** @param response The streaming response. */
  constructor(response: Response) {
    this.#reader = response.body!.getReader();
  }

  /**
   * Waits for the next event (comments and `retry:` are skipped).
   *
   * @param ms How long to wait.
   * @returns The event.
   */
  async next(ms = 10_000): Promise<ReceivedEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const end = this.#buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const event: Partial<ReceivedEvent> = {};
        for (const line of block.split("\n")) {
          const colon = line.indexOf(": ");
          const [field, value] = [line.slice(0, colon), line.slice(colon + 2)];
          if (field === "event") event.event = value;
          if (field === "id") event.id = value;
          if (field === "data") event.data = JSON.parse(value);
        }
        if (event.event !== undefined) return event as ReceivedEvent;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("timed out waiting for an event");
      let timer: ReturnType<typeof setTimeout> | undefined;
      const chunk = await Promise.race([
        this.#reader.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("timed out waiting for an event")), left);
        }),
      ]).finally(() => clearTimeout(timer));
      if (chunk.done) throw new Error("the stream ended");
      this.#buffer += this.#decoder.decode(chunk.value, { stream: true });
    }
  }

  /**
   * Waits for the next event of a name, skipping others.
   *
   * @param name The event's name.
   * @param ms How long to wait.
   * @returns The event.
   */
  async nextOf(name: string, ms = 10_000): Promise<ReceivedEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const event = await this.next(Math.max(1, deadline - Date.now()));
      if (event.event === name) return event;
    }
  }

  /** Stops reading. */
  async close(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}
