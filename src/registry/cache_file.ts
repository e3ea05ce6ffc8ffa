/**
 * The registry's cache on disk: the last good snapshot of every path, so a
 * process started while ZooKeeper is away still has answers. Several
 * processes may share one file: each write merges under a lock file, and the
 * file is replaced atomically (temporary file, then rename), so a reader never
 * sees half a file.
 *
 * @module
 */

import { systemClock } from "../util/clock.ts";
import { sleep } from "../util/sleep.ts";
import type { NodeSnapshot } from "./snapshot.ts";

type Fs = typeof import("node:fs/promises");

const BIGINT_FIELDS = new Set(["czxid", "mzxid", "pzxid", "ephemeralOwner"]);
const LOCK_STALE_MS = 10_000;

function serialize(entries: Record<string, NodeSnapshot>): string {
  return JSON.stringify(
    { version: 1, entries },
    (_, value) => typeof value === "bigint" ? value.toString() : value,
    2,
  );
}

function parse(text: string): Record<string, NodeSnapshot> {
  const doc = JSON.parse(
    text,
    (key, value) => BIGINT_FIELDS.has(key) && typeof value === "string" ? BigInt(value) : value,
  );
  if (doc === null || typeof doc !== "object" || typeof doc.entries !== "object") {
    throw new Error("not a registry cache file");
  }
  return doc.entries as Record<string, NodeSnapshot>;
}

/** A cache file shared by any number of registries. */
export class CacheFile {
  readonly #path: string;
  readonly #onError: (error: unknown) => void;
  #fs: Promise<Fs> | undefined;
  #pending = new Map<string, NodeSnapshot>();
  #flushing: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param path The file.
   * @param onError Receives a corrupt file or a failed write; neither is fatal.
   */
  constructor(path: string, onError: (error: unknown) => void) {
    this.#path = path;
    this.#onError = onError;
  }

  #filesystem(): Promise<Fs> {
    return this.#fs ??= import("node:fs/promises");
  }

  /**
   * Reads every entry; a missing file is empty, a corrupt one is reported and
   * treated as empty.
   */
  async load(): Promise<Record<string, NodeSnapshot>> {
    const fs = await this.#filesystem();
    let text: string;
    try {
      text = await fs.readFile(this.#path, "utf8");
    } catch (error) {
      if ((error as { code?: string | undefined }).code !== "ENOENT") this.#onError(error);
      return {};
    }
    try {
      return parse(text);
    } catch (error) {
      this.#onError(
        new Error(`Ignoring the corrupt cache file ${this.#path}: ${(error as Error).message}`, {
          cause: error,
        }),
      );
      return {};
    }
  }

  /** Queues an entry to write; writes are grouped and happen shortly after. */
  put(snapshot: NodeSnapshot): void {
    this.#pending.set(snapshot.path, snapshot);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch(this.#onError);
    }, 20);
  }

  /** Writes every queued entry now. */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#flushing !== undefined) await this.#flushing;
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#flushing = this.#write(batch).finally(() => this.#flushing = undefined);
    await this.#flushing;
  }

  async #write(batch: Map<string, NodeSnapshot>): Promise<void> {
    const fs = await this.#filesystem();
    const lock = `${this.#path}.lock`;
    await this.#acquire(fs, lock);
    try {
      const entries = await this.load();
      for (const [path, snapshot] of batch) entries[path] = { ...snapshot, stale: false };
      const temp = `${this.#path}.${crypto.randomUUID()}.tmp`;
      await fs.writeFile(temp, serialize(entries));
      await fs.rename(temp, this.#path);
    } finally {
      await fs.rm(lock, { force: true });
    }
  }

  // An exclusive create is atomic on every local file system: whoever makes
  // the lock file first merges and writes; the others wait their turn. A lock
  // left by a crashed process is taken over once it is old.
  async #acquire(fs: Fs, lock: string): Promise<void> {
    for (let attempt = 0;; attempt++) {
      try {
        const handle = await fs.open(lock, "wx");
        await handle.close();
        return;
      } catch (error) {
        if ((error as { code?: string | undefined }).code !== "EEXIST") throw error;
      }
      try {
        const info = await fs.stat(lock);
        if (Date.now() - info.mtimeMs > LOCK_STALE_MS) await fs.rm(lock, { force: true });
      } catch {
        // Released meanwhile.
      }
      await sleep(systemClock, Math.min(5 + attempt * 5, 50));
    }
  }
}
