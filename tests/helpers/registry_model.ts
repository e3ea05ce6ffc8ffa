/**
 * The model of the registry model check: the truth (every state the
 * service's tree was in, from the writers' own log), the tracks of snapshots
 * a registry delivered (each checked against the truth), and a fresh read.
 *
 * Every write that changes the service (./registry_writers.ts) records the zxid of its transaction
 * (from the Stat it returns; a transaction without one also writes a clock
 * node outside the service, whose Stat tells it) and what it did. Applied in
 * zxid order, the log gives the tree's state after every write.
 *
 * @module
 */

import { type NodeSnapshot, type Stat, type ZooKeeper, ZooKeeperError } from "../../mod.ts";
import { within } from "./wait.ts";

/** The followed node. */
export const SERVICE = "/svc";
/** A node outside the service whose Stat gives a transaction its zxid. */
export const CLOCK = "/zxid";

/** A node's value as a registry decodes it. */
type Value = unknown;

/** The service's node in one state. */
interface ServiceNode {
  value: Value;
  stat: Stat;
}

/** One state of the service: its node (`null`: absent) and its children's values. */
export interface TreeState {
  /** The zxid of the write that made it. */
  zxid: bigint;
  /** The node. */
  node: ServiceNode | null;
  /** Each child's value. */
  children: ReadonlyMap<string, Value>;
}

/** What one write did to one node. */
export type Effect = { path: string; deleted: true } | {
  path: string;
  deleted?: false;
  value: Value;
  stat: Stat;
};

/**
 * Decodes data the way the registry documents it: JSON when it parses, else
 * the UTF-8 text, `null` when empty.
 *
 * @param bytes The data.
 * @returns The value.
 */
export function decode(bytes: Uint8Array): Value {
  if (bytes.length === 0) return null;
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function key(
  value: Value,
  stat: Omit<Stat, "cversion" | "pzxid" | "aversion"> | null,
  children: [string, Value][],
): string {
  if (stat === null) {
    return value === null && children.length === 0 ? "none" : "absent, yet not empty";
  }
  const { czxid, mzxid, ctime, mtime, version, ephemeralOwner, dataLength, numChildren } = stat;
  const fields = [czxid, mzxid, ctime, mtime, version, ephemeralOwner, dataLength, numChildren];
  return JSON.stringify([value, fields.map(String), children]);
}

/**
 * What a state looks like as a snapshot's key.
 *
 * @param state The state.
 * @param childData `false`: names only.
 * @returns The key.
 */
export function stateKey(state: Omit<TreeState, "zxid">, childData: boolean): string {
  if (state.node === null) return "none";
  const names = [...state.children.keys()].sort();
  const children = names.map((n): [string, Value] => [n, childData ? state.children.get(n) : null]);
  return key(state.node.value, { ...state.node.stat, numChildren: names.length }, children);
}

/**
 * A snapshot's key, its children in the order delivered.
 *
 * @param snapshot The snapshot.
 * @returns The key; one no state has when it lists errors.
 */
export function snapshotKey(snapshot: NodeSnapshot): string {
  if (snapshot.errors !== undefined) return `errors: ${Object.keys(snapshot.errors)}`;
  return key(snapshot.data, snapshot.stat, Object.entries(snapshot.children));
}

function clip(value: Value): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * A short account of a snapshot or a state, for failure messages.
 *
 * @param s The snapshot or the state.
 * @returns The account.
 */
export function describeState(s: NodeSnapshot | Omit<TreeState, "zxid">): string {
  const node = "path" in s ? (s.stat && { value: s.data, stat: s.stat }) : s.node;
  if (node === null) return "(no node)";
  const children = "path" in s ? Object.entries(s.children) : [...s.children].sort();
  const listed = children.map(([n, v]) => `${n}=${clip(v)}`).join(", ");
  const { czxid, mzxid, version } = node.stat;
  return `data=${clip(node.value)} czxid=0x${czxid.toString(16)} mzxid=0x${
    mzxid.toString(16)
  } v${version} children={${listed}}`;
}

/** Every state of the service, in zxid order, from the writers' log. */
export class Truth {
  readonly #states: TreeState[] = [];
  readonly #keys: [Map<string, number[]>, Map<string, number[]>] = [new Map(), new Map()];
  #pending: { zxid: bigint; effects: Effect[] }[] = [];

  /** @param initial The state before any write of the log. */
  constructor(initial: TreeState) {
    this.#push(initial);
  }

  /** The states so far. */
  get states(): readonly TreeState[] {
    return this.#states;
  }

  /** The latest state. */
  get last(): TreeState {
    return this.#states.at(-1)!;
  }

  /**
   * Logs a completed write.
   *
   * @param zxid Its transaction's zxid.
   * @param effects What it did, in order.
   */
  record(zxid: bigint, effects: Effect[]): void {
    this.#pending.push({ zxid, effects });
  }

  /**
   * Applies the writes logged since the last call, in zxid order: call it
   * when no write is under way (every later write then has a higher zxid).
   */
  catchUp(): void {
    const pending = this.#pending.sort((a, b) => a.zxid < b.zxid ? -1 : a.zxid > b.zxid ? 1 : 0);
    this.#pending = [];
    for (const { zxid, effects } of pending) {
      const last = this.last;
      if (zxid <= last.zxid) throw new Error(`a write at zxid ${zxid} after ${last.zxid}`);
      let node = last.node;
      const children = new Map(last.children);
      for (const effect of effects) {
        const name = effect.path.slice(SERVICE.length + 1);
        if (effect.path === SERVICE) {
          node = effect.deleted ? null : { value: effect.value, stat: effect.stat };
          if (effect.deleted && children.size > 0) throw new Error("a deleted node had children");
        } else if (effect.path.startsWith(`${SERVICE}/`) && !name.includes("/")) {
          if (effect.deleted) children.delete(name);
          else children.set(name, effect.value);
        }
      }
      this.#push({ zxid, node, children });
    }
  }

  /**
   * The first state at or after `from` whose key is `key`.
   *
   * @param key A snapshot's key.
   * @param childData `false`: names only.
   * @param from The first index to consider.
   * @returns Its index, or -1.
   */
  find(key: string, childData: boolean, from: number): number {
    for (const i of this.#keys[childData ? 1 : 0].get(key) ?? []) if (i >= from) return i;
    return -1;
  }

  #push(state: TreeState): void {
    const index = this.#states.push(state) - 1;
    for (const childData of [false, true]) {
      const keys = this.#keys[childData ? 1 : 0];
      const k = stateKey(state, childData);
      keys.set(k, [...keys.get(k) ?? [], index]);
    }
  }
}

// What the registry keeps as the last good copy: a node with data or children.
function full(state: TreeState): boolean {
  return state.node !== null && (state.node.value !== null || state.children.size > 0);
}

/**
 * The snapshots one listener received, in order, checked against the truth.
 * A snapshot that is not `stale` must be a state the tree was in, no earlier
 * than the one before it. A `stale` one (the last good copy, while
 * ZooKeeper is away) must be a state no earlier than the last one with data
 * or children that the listener received (the last good copy skips the
 * states without, so it may be older than the last snapshot), or empty when
 * nothing is known yet (a first read cut off by the connection's loss).
 */
export class Track {
  /** Names the listener in failure messages. */
  readonly label: string;
  /** Whether the listener has children's data (else names only). */
  readonly childData: boolean;
  #entries: NodeSnapshot[] = [];
  #pos = 0;
  #floor = 0;
  #latest = "";
  #received = 0;
  #last: NodeSnapshot | undefined;
  readonly #waiters = new Set<{ key: string; resolve: () => void }>();

  /**
   * @param label Names the listener.
   * @param childData Whether it has children's data.
   */
  constructor(label: string, childData: boolean) {
    this.label = label;
    this.childData = childData;
  }

  /** How many snapshots it received. */
  get received(): number {
    return this.#received;
  }

  /** Receives a snapshot. */
  readonly deliver = (snapshot: NodeSnapshot): void => {
    this.#entries.push(snapshot);
    this.#received++;
    this.#last = snapshot;
    this.#latest = snapshotKey(snapshot);
    for (const waiter of this.#waiters) {
      if (waiter.key === this.#latest) waiter.resolve();
    }
  };

  /**
   * Checks the snapshots received since the last check.
   *
   * @param truth The states, complete up to now.
   * @returns What is wrong, if anything.
   */
  check(truth: Truth): string[] {
    const problems: string[] = [];
    for (const snapshot of this.#entries) {
      const from = snapshot.stale ? this.#floor : this.#pos;
      const key = snapshotKey(snapshot);
      if (snapshot.stale && key === "none") continue;
      const at = truth.find(key, this.childData, from);
      if (at < 0) {
        const states = truth.states.slice(Math.max(0, from - 2)).map((state, i) =>
          `#${Math.max(0, from - 2) + i} (zxid 0x${state.zxid.toString(16)}) ${
            describeState(state)
          }`
        );
        problems.push(
          `${this.label} got ${snapshot.stale ? "a stale" : "a"} snapshot ${
            describeState(snapshot)
          } that is no state at or after #${from} of ${truth.states.length}: ${states.join("; ")}`,
        );
        continue;
      }
      if (!snapshot.stale) this.#pos = at;
      if (full(truth.states[at])) this.#floor = Math.max(this.#floor, at);
    }
    this.#entries = [];
    return problems;
  }

  /**
   * Resolves once the latest snapshot received has `key` (at once if it has).
   *
   * @param key The awaited key.
   * @param what Said in the error.
   * @returns A promise of that moment.
   */
  reached(key: string, what: string): Promise<void> {
    if (this.#latest === key) return Promise.resolve();
    const waiter = { key, resolve: () => {} };
    const done = new Promise<void>((resolve) => waiter.resolve = resolve);
    this.#waiters.add(waiter);
    const last = this.#last === undefined ? "nothing" : describeState(this.#last);
    return within(done, `${this.label} to get ${what} (of ${this.#received}, the last: ${last})`)
      .finally(() => this.#waiters.delete(waiter));
  }
}

/**
 * Reads the service now, for a calm moment.
 *
 * @param zk A client.
 * @returns Its state.
 */
export async function freshState(zk: ZooKeeper): Promise<Omit<TreeState, "zxid">> {
  const read = await zk.getData(SERVICE).catch((e) => {
    if (ZooKeeperError.is(e, "NONODE")) return null;
    throw e;
  });
  if (read === null) return { node: null, children: new Map() };
  const children = new Map<string, Value>();
  for (const name of await zk.getChildren(SERVICE)) {
    children.set(name, decode((await zk.getData(`${SERVICE}/${name}`)).data));
  }
  return { node: { value: decode(read.data), stat: read.stat }, children };
}
