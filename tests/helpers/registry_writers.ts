/**
 * The random writers of the registry model check: each write carries a
 * token in its data and, once completed, is logged in the truth with the
 * zxid of its transaction.
 *
 * @module
 */

import { type Op, type ZooKeeper, ZooKeeperError } from "../../mod.ts";
import { CLOCK, decode, type Effect, SERVICE, type Truth } from "./registry_model.ts";

const NAMES = ["a", "b", "c", "d", "e", "big"];
const encoder = new TextEncoder();

/** The refusals a race between writers makes. */
const REFUSALS = ["NODEEXISTS", "NONODE", "NOTEMPTY", "NOCHILDRENFOREPHEMERALS"] as const;

/** Random writes of the service, each logged in the truth once it completes. */
export class Writers {
  readonly #truth: Truth;
  readonly #next: () => number;
  readonly #seed: number;
  #count = 0;

  /**
   * @param truth Where the writes are logged.
   * @param next The seeded generator.
   * @param seed Marks the tokens.
   */
  constructor(truth: Truth, next: () => number, seed: number) {
    this.#truth = truth;
    this.#next = next;
    this.#seed = seed;
  }

  /**
   * New data carrying a token: JSON, text that is not JSON, empty, large, or
   * bytes that are not UTF-8.
   *
   * @returns The bytes.
   */
  data(): Uint8Array {
    const token = `${this.#seed}.${++this.#count}`;
    const r = this.#next();
    if (r < 0.08) return Uint8Array.of(0xff, 0xc3, ...encoder.encode(token));
    const text = r < 0.5
      ? JSON.stringify({ token, n: Math.floor(r * 1000) })
      : r < 0.65
      ? `text ${token} {not json`
      : r < 0.75
      ? JSON.stringify(token)
      : r < 0.85
      ? ""
      : r < 0.89
      ? JSON.stringify({ token, pad: "x".repeat(80_000) })
      : `[${this.#count}]`;
    return encoder.encode(text);
  }

  /**
   * One random write; the refusals a race makes are expected.
   *
   * @param zk The writer's client.
   * @returns Once it completed and was logged.
   */
  async write(zk: ZooKeeper): Promise<void> {
    const next = this.#next;
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
    const child = () => `${SERVICE}/${pick(NAMES)}`;
    const mode = () => next() < 0.4 ? "ephemeral" as const : "persistent" as const;
    const r = next();
    const path = child();
    const data = this.data();
    try {
      if (r < 0.25) {
        const { stat } = await zk.createWithStat(path, data, { mode: mode() });
        this.#truth.record(stat.czxid, [{ path, value: decode(data), stat }]);
      } else if (r < 0.4) await this.#multi(zk, [{ op: "delete", path }]);
      else if (r < 0.58 || r >= 0.64 && r < 0.72) {
        const target = r < 0.58 ? path : SERVICE;
        const stat = await zk.setData(target, data);
        this.#truth.record(stat.mzxid, [{ path: target, value: decode(data), stat }]);
      } else if (r < 0.64) {
        // A grandchild: its events reach a recursive watch, and change nothing.
        await (next() < 0.6 ? zk.create(`${path}/g`, data) : zk.delete(`${path}/g`));
      } else if (r < 0.84) {
        const ops: Op[] = [];
        for (let i = 1 + Math.floor(next() * 4); i > 0; i--) {
          const kind = next();
          const at = child();
          ops.push(
            kind < 0.4
              ? { op: "create", path: at, data: this.data(), mode: mode() }
              : kind < 0.7
              ? { op: "delete", path: at }
              : { op: "setData", path: next() < 0.2 ? SERVICE : at, data: this.data() },
          );
        }
        await this.#multi(zk, ops);
      } else if (r < 0.92) {
        // The service deleted, with all it holds, and maybe created again, at once.
        const ops: Op[] = [];
        for (const name of await zk.getChildren(SERVICE)) {
          const at = `${SERVICE}/${name}`;
          for (const g of await zk.getChildren(at)) ops.push({ op: "delete", path: `${at}/${g}` });
          ops.push({ op: "delete", path: at });
        }
        ops.push({ op: "delete", path: SERVICE });
        if (next() < 0.6) ops.push({ op: "create", path: SERVICE, data });
        await this.#multi(zk, ops);
      } else {
        const { stat } = await zk.createWithStat(SERVICE, data);
        this.#truth.record(stat.czxid, [{ path: SERVICE, value: decode(data), stat }]);
      }
    } catch (error) {
      if (!ZooKeeperError.is(error, ...REFUSALS)) throw error;
    }
  }

  // A transaction, with the clock's write that gives its zxid.
  async #multi(zk: ZooKeeper, ops: Op[]): Promise<void> {
    const results = await zk.multi([...ops, { op: "setData", path: CLOCK, data: this.data() }]);
    const clock = results.at(-1)!;
    if (clock.op !== "setData") throw new Error("the clock's write has no Stat");
    const effects = ops.map((op, i): Effect => {
      if (op.op === "delete") return { path: op.path, deleted: true };
      if (op.op !== "create" && op.op !== "setData") throw new Error(`no effect for ${op.op}`);
      const data = op.data as Uint8Array;
      const result = results[i];
      // A create in a transaction may come back without its Stat: every
      // change of the transaction has its zxid and its time, and the
      // service node is persistent.
      const stat = "stat" in result && result.stat !== undefined ? result.stat : {
        ...clock.stat,
        czxid: clock.stat.mzxid,
        ctime: clock.stat.mtime,
        version: 0,
        ephemeralOwner: 0n,
        dataLength: data.length,
      };
      return { path: op.path, value: decode(data), stat };
    });
    this.#truth.record(clock.stat.mzxid, effects);
  }
}
