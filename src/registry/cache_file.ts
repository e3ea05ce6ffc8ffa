/**
 * The registry's cache on disk: the last good snapshot of every path, so a
 * process started while ZooKeeper is away still has answers. Several
 * processes may share one file: each write merges under a lock file, and the
 * file is replaced atomically (temporary file, then rename), so a reader never
 * sees half a file.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../util/clock.ts";
import { sleep } from "../util/sleep.ts";
import type { NodeValue } from "./node_data.ts";
import { childRecord, type NodeSnapshot, type NodeStat } from "./snapshot.ts";

type Fs = typeof import("node:fs/promises");

const BIGINT_FIELDS = ["czxid", "mzxid", "ephemeralOwner"] as const;
const NUMBER_FIELDS = ["ctime", "mtime", "version", "dataLength", "numChildren"] as const;
const LOCK_STALE_MS = 10_000;

function serialize(entries: Map<string, NodeSnapshot>): string {
  return JSON.stringify(
    { version: 1, entries: Object.fromEntries(entries) },
    (_, value) => typeof value === "bigint" ? value.toString() : value,
    2,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// The zxids are written as decimal strings; only the Stat's own fields are
// turned back into bigints, never a key of the same name in the data.
function reviveStat(path: string, value: unknown): NodeStat | null {
  if (value === null) return null;
  if (!isObject(value)) throw new Error(`the entry of "${path}" has no stat`);
  // Only the fields a snapshot's stat holds are kept (older files have more).
  const stat: Record<string, unknown> = {};
  for (const field of BIGINT_FIELDS) {
    const zxid = value[field];
    if (typeof zxid !== "string" || !/^-?\d+$/.test(zxid)) {
      throw new Error(`the entry of "${path}" has no ${field}`);
    }
    stat[field] = BigInt(zxid);
  }
  for (const field of NUMBER_FIELDS) {
    if (typeof value[field] !== "number") throw new Error(`the entry of "${path}" has no ${field}`);
    stat[field] = value[field];
  }
  return stat as unknown as NodeStat;
}

function reviveEntry(path: string, value: unknown): NodeSnapshot {
  if (!isObject(value) || value.path !== path || !isObject(value.children)) {
    throw new Error(`the entry of "${path}" is not a snapshot`);
  }
  const children = childRecord<NodeValue>();
  for (const [name, child] of Object.entries(value.children)) children[name] = child as NodeValue;
  return {
    path,
    data: (value.data ?? null) as NodeValue,
    stat: reviveStat(path, value.stat),
    children,
    stale: true,
  };
}

function parse(text: string): Map<string, NodeSnapshot> {
  const doc: unknown = JSON.parse(text);
  if (!isObject(doc) || !isObject(doc.entries)) throw new Error("not a registry cache file");
  const entries = new Map<string, NodeSnapshot>();
  for (const [path, entry] of Object.entries(doc.entries)) {
    entries.set(path, reviveEntry(path, entry));
  }
  return entries;
}

/** A cache file shared by any number of registries. */
export class CacheFile {
  readonly #path: string;
  readonly #onError: (error: unknown) => void;
  readonly #clock: Clock;
  #fs: Promise<Fs> | undefined;
  #pending = new Map<string, NodeSnapshot>();
  #flushing: Promise<void> | undefined;
  #timer: TimerHandle | undefined;

  /**
   * @param path The file.
   * @param onError Receives a corrupt file or a failed write; neither is fatal.
   * @param clock Times the grouping of writes and the waits for the lock file.
   */
  constructor(path: string, onError: (error: unknown) => void, clock: Clock) {
    this.#path = path;
    this.#onError = onError;
    this.#clock = clock;
  }

  #filesystem(): Promise<Fs> {
    return this.#fs ??= import("node:fs/promises");
  }

  /**
   * Reads every entry, marked stale; a missing file is empty, a corrupt one
   * (or one of the wrong shape) is reported and treated as empty.
   */
  async load(): Promise<Map<string, NodeSnapshot>> {
    const fs = await this.#filesystem();
    let text: string;
    try {
      text = await fs.readFile(this.#path, "utf8");
    } catch (error) {
      if ((error as { code?: string | undefined }).code !== "ENOENT") this.#onError(error);
      return new Map();
    }
    try {
      return parse(text);
    } catch (error) {
      this.#onError(
        new Error(`Ignoring the corrupt cache file ${this.#path}: ${(error as Error).message}`, {
          cause: error,
        }),
      );
      return new Map();
    }
  }

  /** Queues an entry to write; writes are grouped and happen shortly after. */
  put(snapshot: NodeSnapshot): void {
    this.#pending.set(snapshot.path, snapshot);
    this.#timer ??= this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch(this.#onError);
    }, 20);
  }

  /** Writes every queued entry now. */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
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
      for (const [path, snapshot] of batch) entries.set(path, { ...snapshot, stale: false });
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
        if (this.#clock.wallNow() - info.mtimeMs > LOCK_STALE_MS) {
          await fs.rm(lock, { force: true });
        }
      } catch {
        // Released meanwhile.
      }
      await sleep(this.#clock, Math.min(5 + attempt * 5, 50));
    }
  }
}
