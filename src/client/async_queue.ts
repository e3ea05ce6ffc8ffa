/**
 * An unbounded queue read as an async iterator, for watch events and state
 * changes: nothing pushed is ever dropped, and the iterator ends (or throws)
 * when the source says so.
 *
 * @module
 */

/** A queue of values read with `for await`. */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  #values: T[] = [];
  #head = 0;
  #done = false;
  #error: unknown = undefined;
  #waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  readonly #onReturn: () => void;

  /**
   * @param onReturn Called once when the reader stops (`break`, `return()`)
   *   or the queue ends, to release what feeds it.
   */
  constructor(onReturn: () => void = () => {}) {
    let called = false;
    this.#onReturn = () => {
      if (called) return;
      called = true;
      onReturn();
    };
  }

  /** Whether the queue has ended. */
  get ended(): boolean {
    return this.#done;
  }

  /** Adds a value; ignored once the queue has ended. */
  push(value: T): void {
    if (this.#done) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve({ value, done: false });
    } else {
      this.#values.push(value);
    }
  }

  /**
   * Ends the queue: values already pushed are still read, then the iterator
   * finishes, or throws `error` when one is given.
   */
  end(error?: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#error = error;
    this.#onReturn();
    const waiter = this.#waiter;
    if (waiter !== undefined && this.#head >= this.#values.length) {
      this.#waiter = undefined;
      if (error !== undefined) waiter.reject(error);
      else waiter.resolve({ value: undefined, done: true });
    }
  }

  /** Reads the next value. */
  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#values.length) {
      const value = this.#values[this.#head++];
      if (this.#head > 1024 && this.#head * 2 > this.#values.length) {
        this.#values = this.#values.slice(this.#head);
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#done) {
      const error = this.#error;
      this.#error = undefined;
      return error !== undefined
        ? Promise.reject(error)
        : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** Stops reading: the queue ends and its source is released. */
  return(): Promise<IteratorResult<T>> {
    this.#values = [];
    this.#head = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** The queue is its own iterator. */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
