/**
 * CPU per change per registry, without the network: the work a path cache
 * does for one event once its read is back (apply the reply to its state,
 * publish a snapshot), fed straight into `CacheState`, for a service of
 * 1,000, 10,000 and 100,000 children; then the client's side of a child's
 * change, its one-shot data watch fired and set again in the session's watch
 * table (`WatchRegistry`) of N watched children. With
 * `CHANGE_COST_BASELINE=<dir>` (a checkout of another commit, such as
 * `git archive main src | tar -x -C <dir>`) the same figures come for that
 * checkout's `CacheState` and `WatchRegistry` too, in the same run.
 *
 * `deno run -A --v8-flags=--expose-gc bench/registry/change_cost.ts`
 *
 * The heap is collected before each figure, so that none pays for the
 * garbage of the one before, and each kind of change runs 300 ms before it
 * is measured, so that the compiler is done with it. Each figure is the
 * median of 5 rounds of CPU time (user + system) divided by the changes of
 * the round; a round runs at least 200 ms. "read whole"
 * also reads the snapshot's `children` whole, as a callback that looks at
 * every child does.
 *
 * @module
 */

import { cpuUsage } from "node:process";
import { CacheState } from "../../src/registry/cache_state.ts";
import { WatchRegistry } from "../../src/client/watch_registry.ts";
import type { Stat } from "../../src/protocol/records_data.ts";
import type { NodeSnapshot } from "../../src/registry/snapshot.ts";
import type { NodeValue } from "../../src/registry/node_data.ts";

/** What the benchmark needs of a cache state, in this checkout or another. */
interface State {
  setNode(node: { value: NodeValue; stat: Stat }): void;
  setChild(name: string, child: { value: NodeValue; mzxid: bigint }): void;
  removeChild(name: string, tick: number): void;
  nextTick(): number;
  snapshot(path: string): NodeSnapshot;
}

const stat = { czxid: 1n, mzxid: 1n } as Stat;
const sizes = [1_000, 10_000, 100_000];

function name(i: number, n: number): string {
  return `host-${String((i * 7919) % n).padStart(6, "0")}`;
}

function loaded(make: () => State, n: number): State {
  const state = make();
  state.setNode({ value: null, stat });
  for (let i = 0; i < n; i++) state.setChild(name(i, n), { value: { i }, mzxid: BigInt(i + 2) });
  state.snapshot("/s");
  return state;
}

/** One kind of change, applied and published; returns how many it made. */
type Change<T = State> = (state: T, round: number, zxid: () => bigint) => number;

const changes: Record<string, (n: number) => Change> = {
  "a child's data": (n) => (state, i, zxid) => {
    state.setChild(name(i % n, n), { value: { i }, mzxid: zxid() });
    state.snapshot("/s");
    return 1;
  },
  "a child added, then removed": () => (state, _i, zxid) => {
    state.setChild("host-new", { value: null, mzxid: zxid() });
    state.snapshot("/s");
    state.removeChild("host-new", state.nextTick());
    state.snapshot("/s");
    return 2;
  },
  "a child's data, read whole": (n) => (state, i, zxid) => {
    state.setChild(name(i % n, n), { value: { i }, mzxid: zxid() });
    const children = state.snapshot("/s").children;
    for (const key in children) if (children[key] === undefined) throw new Error(key);
    return 1;
  },
};

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

// CPU microseconds per change: the median of 5 rounds.
function measure<T>(state: T, change: Change<T>): number {
  gc();
  let zxid = 1_000_000n;
  const next = () => zxid++;
  let i = 0;
  const warm = performance.now();
  while (performance.now() - warm < 300 || i < 50) change(state, i++, next);
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    const cpu = cpuUsage();
    let made = 0;
    while (performance.now() - start < 200 || made < 20) made += change(state, i++, next);
    const used = cpuUsage(cpu);
    rounds.push((used.user + used.system) / made);
  }
  return rounds.sort((a, b) => a - b)[2];
}

const baseline = Deno.env.get("CHANGE_COST_BASELINE");

// A class of this checkout, with the same class of the baseline's before it.
async function withBaseline<T>(
  file: string,
  name: string,
  ours: new () => T,
): Promise<[string, () => T][]> {
  const makers: [string, () => T][] = [["this checkout", () => new ours()]];
  if (baseline === undefined) return makers;
  const url = new URL(`file://${Deno.realPathSync(baseline)}/src/${file}`);
  const theirs = (await import(url.href) as Record<string, new () => T>)[name];
  return [[`baseline (${baseline})`, () => new theirs()], ...makers];
}

const checkouts = await withBaseline<State>("registry/cache_state.ts", "CacheState", CacheState);

/** What the benchmark needs of the client's watch table, in this checkout or another. */
interface Watches {
  add(kind: "data", path: string, watcher: () => void): void;
  trigger(type: "NodeDataChanged", path: string): unknown;
}

// The client's side of the same changes: every child read sets a one-shot
// data watch, which a change of the child fires and its read sets again.
const tables = await withBaseline<Watches>(
  "client/watch_registry.ts",
  "WatchRegistry",
  WatchRegistry,
);
const watcher = () => {};
function rearm(table: Watches, path: string): number {
  table.trigger("NodeDataChanged", path);
  table.add("data", path, watcher);
  return 1;
}
const watchChanges: Record<string, (n: number) => Change<Watches>> = {
  "the watch of one child fired and set again, the same child each time": (n) => (table) =>
    rearm(table, `/s/${name(n >> 1, n)}`),
  "the watch of one child fired and set again, each child in turn": (n) => (table, i) =>
    rearm(table, `/s/${name(i % n, n)}`),
};

function watched(make: () => Watches, n: number): Watches {
  const table = make();
  for (let i = 0; i < n; i++) table.add("data", `/s/${name(i, n)}`, watcher);
  return table;
}

const rows: string[] = [];
const format = (us: number) => us < 10 ? us.toFixed(2) : us.toFixed(0);
// A row per kind of change and checkout: each size filled by `fill`, then measured.
function measureAll<T>(
  kinds: Record<string, (n: number) => Change<T>>,
  makers: [string, () => T][],
  fill: (make: () => T, n: number) => T,
): void {
  for (const [kind, make] of Object.entries(kinds)) {
    for (const [label, maker] of makers) {
      const cells = sizes.map((n) => measure(fill(maker, n), make(n)));
      rows.push(`| ${kind} | ${label} | ${cells.map(format).join(" | ")} |`);
      console.error(rows.at(-1));
    }
  }
}
measureAll(changes, checkouts, loaded);
measureAll(watchChanges, tables, watched);
console.log(`| change | state | ${sizes.map((n) => `N=${n.toLocaleString("en")}`).join(" | ")} |`);
console.log(`| --- | --- | ${sizes.map(() => "---:").join(" | ")} |`);
for (const row of rows) console.log(row);
console.log("\nCPU µs per change (user + system), median of 5 rounds.");
