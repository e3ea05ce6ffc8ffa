/**
 * A transport that counts what a client sends, by request type, so that a
 * test can say how many requests a piece of work cost. Pings and the connect
 * request of each connection are not requests of the work, and are left out.
 *
 * @module
 */

import { defaultTransport, type Transport, type ZooKeeper } from "../../mod.ts";
import { settle } from "./wait.ts";
import { OpCode } from "../../src/protocol/constants.ts";

const names = new Map<number, string>(Object.entries(OpCode).map(([name, code]) => [code, name]));

/** Counts the requests sent through its transport. */
export interface RequestCounter {
  /** Give this to the client. */
  readonly transport: Transport;
  /** Bytes written, all frames included. */
  readonly bytes: number;
  /** Connections tried, the failed ones included. */
  readonly connects: number;
  /** Requests sent since the last reset, by type name (`getData`, `setWatches`...). */
  counts(): Record<string, number>;
  /**
   * Requests sent since the last reset.
   *
   * @param types Only these types (all when none are given).
   */
  total(...types: string[]): number;
  /** Starts counting from zero. */
  reset(): void;
  /**
   * A barrier on a client of this transport (see `settle` in wait.ts), its
   * own requests left out of the counts: what the client sends because of
   * earlier events is counted when it resolves.
   *
   * @param zk The client.
   * @param rounds How many barriers in a row.
   */
  settle(zk: ZooKeeper, rounds?: number): Promise<void>;
}

/**
 * Makes a counting transport over the runtime's own.
 *
 * @returns The counter.
 */
export async function requestCounter(): Promise<RequestCounter> {
  const inner = await defaultTransport();
  let counts = new Map<string, number>();
  let bytes = 0;
  let connects = 0;
  return {
    get bytes() {
      return bytes;
    },
    get connects() {
      return connects;
    },
    counts: () => Object.fromEntries(counts),
    total: (...types) => {
      let n = 0;
      for (const [type, count] of counts) {
        if (types.length === 0 || types.includes(type)) n += count;
      }
      return n;
    },
    reset: () => counts = new Map(),
    async settle(zk, rounds = 2) {
      await settle(zk, rounds);
      for (const type of ["sync", "exists"]) {
        const left = (counts.get(type) ?? 0) - rounds;
        if (left > 0) counts.set(type, left);
        else counts.delete(type);
      }
    },
    transport: {
      async connect(options, handlers) {
        connects++;
        const conn = await inner.connect(options, handlers);
        let pending = new Uint8Array(0);
        let first = true;
        return {
          write(chunk) {
            bytes += chunk.length;
            const all = new Uint8Array(pending.length + chunk.length);
            all.set(pending);
            all.set(chunk, pending.length);
            const view = new DataView(all.buffer);
            let at = 0;
            while (at + 4 <= all.length) {
              const length = view.getInt32(at);
              if (at + 4 + length > all.length) break;
              if (first) first = false;
              else {
                const type = names.get(view.getInt32(at + 8)) ?? `op${view.getInt32(at + 8)}`;
                if (type !== "ping") counts.set(type, (counts.get(type) ?? 0) + 1);
              }
              at += 4 + length;
            }
            pending = all.slice(at);
            conn.write(chunk);
          },
          close: () => conn.close(),
        };
      },
    },
  };
}
