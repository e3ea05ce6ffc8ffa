/**
 * The transaction barriers of a registry's caches, shared: a request whose
 * reply follows every event heard before it was sent answers for every cache
 * that heard one of them. A session's close that removes its ephemeral nodes
 * under several followed paths then costs one `exists`, not one per path.
 *
 * @module
 */

import type { ZooKeeper } from "../client/zookeeper.ts";

/** The barrier under way on one session. */
interface Open {
  /** The value of the event count when it was sent. */
  readonly heard: number;
  /** Its reply. */
  readonly reply: Promise<unknown>;
}

/** The barriers of the caches of one registry. */
export class Barriers {
  readonly #open = new WeakMap<ZooKeeper, Open>();
  #heard = 0;

  /** Counts an event heard by one of the caches. */
  heard(): void {
    this.#heard++;
  }

  /**
   * A request whose reply comes after every event heard so far: the one
   * under way on the session when no event was heard since it was sent, else
   * an `exists` of `path`.
   *
   * @param zk The session's client.
   * @param path A path to ask about (any path does).
   * @returns The request's reply.
   */
  after(zk: ZooKeeper, path: string): Promise<unknown> {
    const open = this.#open.get(zk);
    if (open !== undefined && open.heard === this.#heard) return open.reply;
    const reply = zk.exists(path);
    const entry: Open = { heard: this.#heard, reply };
    this.#open.set(zk, entry);
    const settled = () => {
      if (this.#open.get(zk) === entry) this.#open.delete(zk);
    };
    reply.then(settled, settled);
    return reply;
  }
}
