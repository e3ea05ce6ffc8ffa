/**
 * A map whose deleted keys keep their entry, marked gone, until they are set
 * again or the marks outnumber the live entries.
 *
 * A V8 `Map` (and `Set`) leaves a deleted entry in its hash bucket's chain
 * until the table is next rebuilt, which happens once as many entries were
 * added as the table had room for: a key deleted and set again and again (a
 * one-shot watch on a node whose data keeps changing, fired and set again
 * each time) lengthens one chain by an entry each time. A lookup that finds
 * the key stops at the newest entry, but one that misses it walks the whole
 * chain, and storing a key starts with such a lookup: in a table of N keys,
 * storing that key again walks O(N) dead entries (a deletion and a store of
 * one key took 13–25 µs on average at N=10,000 on Node 20 and Deno, 160 µs at
 * N=100,000, 1.3 µs at N=1,000; the deletion alone 0.3 µs). Here the entry
 * stays, so setting the key again writes its value in place.
 *
 * @module
 */

const GONE: unique symbol = Symbol("gone");

/** With this many marks or fewer, the map is never rebuilt for them. */
const FEW = 32;

/** A map from `K` to `V` (not `undefined`) whose deletions leave a mark. */
export class LazyDeleteMap<K, V> {
  #map = new Map<K, V | typeof GONE>();
  #gone = 0;

  /** The number of live entries. */
  get size(): number {
    return this.#map.size - this.#gone;
  }

  /**
   * @param key A key.
   * @returns Its value, `undefined` when it has none.
   */
  get(key: K): V | undefined {
    const value = this.#map.get(key);
    return value === GONE ? undefined : value;
  }

  /**
   * @param key A key.
   * @returns Whether it has a value.
   */
  has(key: K): boolean {
    const value = this.#map.get(key);
    return value !== undefined && value !== GONE;
  }

  /**
   * Gives `key` a value, in its former entry when it had one.
   *
   * @param key The key.
   * @param value Its value, not `undefined`.
   */
  set(key: K, value: V): void {
    const map = this.#map;
    if (this.#gone > 0 && map.get(key) === GONE) this.#gone--;
    map.set(key, value);
  }

  /**
   * Takes `key`'s value away, leaving its entry marked gone.
   *
   * @param key The key.
   * @returns Whether it had a value.
   */
  delete(key: K): boolean {
    const map = this.#map;
    const value = map.get(key);
    if (value === undefined || value === GONE) return false;
    map.set(key, GONE);
    const gone = ++this.#gone;
    if (gone > FEW && gone * 2 > map.size) this.#rebuild();
    return true;
  }

  /** Forgets every entry. */
  clear(): void {
    this.#map.clear();
    this.#gone = 0;
  }

  /** The keys with a value, in the order their entries were made. */
  keys(): K[] {
    const keys: K[] = [];
    for (const [key, value] of this.#map) if (value !== GONE) keys.push(key);
    return keys;
  }

  /** The values, in the order of {@linkcode LazyDeleteMap.keys}. */
  values(): V[] {
    const values: V[] = [];
    for (const value of this.#map.values()) if (value !== GONE) values.push(value);
    return values;
  }

  // A new table of the live entries: each rebuild follows at least as many
  // deletions as it copies entries.
  #rebuild(): void {
    const map = new Map<K, V | typeof GONE>();
    for (const [key, value] of this.#map) if (value !== GONE) map.set(key, value);
    this.#map = map;
    this.#gone = 0;
  }
}
