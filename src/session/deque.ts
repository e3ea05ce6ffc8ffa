/**
 * A FIFO queue with O(1) push and shift, for requests awaiting their replies.
 *
 * @module
 */

// The items of every empty deque until its first push: most of an idle
// session's queues stay empty. Never written to: a push replaces it first.
const NO_ITEMS: readonly undefined[] = Object.freeze([]);

/** A growable ring buffer. */
export class Deque<T> {
  #items = NO_ITEMS as (T | undefined)[];
  #head = 0;
  #size = 0;

  /** Number of items. */
  get size(): number {
    return this.#size;
  }

  /** Adds an item at the back. */
  push(item: T): void {
    if (this.#size === this.#items.length) {
      // Small at first: an idle session's queue of replies stays this size.
      const next = new Array<T | undefined>(Math.max(4, this.#items.length * 2));
      for (let i = 0; i < this.#size; i++) {
        next[i] = this.#items[(this.#head + i) % this.#items.length];
      }
      this.#items = next;
      this.#head = 0;
    }
    this.#items[(this.#head + this.#size) % this.#items.length] = item;
    this.#size++;
  }

  /** Removes and returns the front item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#size--;
    return item;
  }

  /** Removes and returns every item, front first. */
  drain(): T[] {
    // Counted, not stopped at the first `undefined`: items may be undefined.
    const out: T[] = [];
    while (this.#size > 0) out.push(this.shift() as T);
    return out;
  }
}
