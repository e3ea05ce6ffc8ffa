/**
 * Micro-benchmarks of a path cache's state: loading a service's children in
 * the server's (unsorted) order, and the snapshot a change publishes:
 * `deno bench bench/cache_bench.ts`.
 *
 * @module
 */

import { CacheState } from "../src/registry/cache_state.ts";
import type { Stat } from "../src/protocol/records_data.ts";

const stat = { czxid: 1n, mzxid: 1n } as Stat;

/** Names in a scrambled order, as `getChildren` lists them. */
function scrambled(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `host-${String((i * 7919) % n).padStart(6, "0")}`);
}

function loaded(names: string[]): CacheState {
  const state = new CacheState();
  state.setNode({ value: null, stat });
  names.forEach((name, i) => state.setChild(name, { value: { i }, mzxid: BigInt(i + 2) }));
  return state;
}

for (const n of [1_000, 10_000, 100_000]) {
  const names = scrambled(n);
  Deno.bench(`load ${n} children, then one snapshot`, { group: `load ${n}` }, () => {
    loaded(names).snapshot("/s");
  });
}

for (const n of [1_000, 10_000]) {
  const state = loaded(scrambled(n));
  state.snapshot("/s");
  let zxid = BigInt(n + 2);
  let i = 0;
  Deno.bench(`a child's data changes, snapshot of ${n}`, { group: `change ${n}` }, () => {
    state.setChild(`host-${String(i++ % n).padStart(6, "0")}`, { value: { i }, mzxid: zxid++ });
    state.snapshot("/s");
  });
  Deno.bench(`a child is added and removed, snapshots of ${n}`, { group: `change ${n}` }, () => {
    state.setChild("host-new", { value: null, mzxid: zxid++ });
    state.snapshot("/s");
    state.removeChild("host-new", state.nextTick());
    state.snapshot("/s");
  });
}
