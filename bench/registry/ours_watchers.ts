/**
 * W watchers of one service, each a `Registry` of its own (its own session)
 * following it with `get(path, callback)`, in one Deno process, driven by
 * `run.ts` through stdin and stdout (see `protocol.ts`). Each keeps its own
 * view of the children from the change its callback gets, as a
 * `CuratorCache` listener does from its events.
 *
 * `deno run -A --v8-flags=--expose-gc bench/registry/ours_watchers.ts <servers> <path> <W> <N>`
 *
 * @module
 */

import process from "node:process";
import { Registry, type SnapshotChange } from "../../mod.ts";
import { type Expectation, MAX_REPLY, now, readCommands, send } from "./protocol.ts";

const [servers, path, wArg, nArg] = Deno.args;
const w = Number(wArg);
const n = Number(nArg);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

interface Watcher {
  registry: Registry;
  children: Map<string, unknown>;
  seen: Set<string>;
}

const expectations = new Map<string, Expectation>();
const watchers: Watcher[] = [];

/** CPU time the process has used, user and system, in microseconds. */
function cpuUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function revOf(data: unknown): unknown {
  return typeof data === "object" && data !== null ? (data as { rev?: unknown }).rev : undefined;
}

function satisfies(watcher: Watcher, expectation: Expectation): boolean {
  for (const [name, rev] of Object.entries(expectation.want)) {
    const data = watcher.children.get(name);
    if (rev === null ? data !== undefined : revOf(data) !== rev) return false;
  }
  return true;
}

function check(index: number): void {
  const watcher = watchers[index];
  for (const [id, expectation] of expectations) {
    if (watcher.seen.has(id) || !satisfies(watcher, expectation)) continue;
    watcher.seen.add(id);
    send({ type: "seen", id, w: index, t: now(), cpuUs: cpuUs() });
  }
}

gc();
const heapBefore = Deno.memoryUsage().heapUsed;
for (let i = 0; i < w; i += 10) {
  await Promise.all(Array.from({ length: Math.min(10, w - i) }, async (_, j) => {
    const index = i + j;
    const registry = await Registry.connect({
      servers,
      sessionTimeout: 60_000,
      maxReceiveSize: MAX_REPLY,
      onError: (error) => send({ type: "error", message: String(error) }),
    });
    const watcher: Watcher = { registry, children: new Map(), seen: new Set() };
    watchers[index] = watcher;
    registry.onStateChange((state) => {
      if (state.type === "reconnected" || state.type === "connected") {
        send({ type: "state", w: index, state: "connected", t: now() });
      } else if (state.type === "disconnected" || state.type === "expired") {
        send({ type: "state", w: index, state: state.type, t: now() });
      }
    });
    const first = await registry.get(path, (_snapshot, change: SnapshotChange) => {
      const children = watcher.children;
      for (const name in change.added) children.set(name, change.added[name]);
      for (const name in change.updated) children.set(name, change.updated[name]);
      for (const name of change.removed) children.delete(name);
      check(index);
    });
    watcher.children = new Map(Object.entries(first.children));
  }));
}
for (const watcher of watchers) {
  if (watcher.children.size !== n) {
    throw new Error(`a watcher started with ${watcher.children.size} of ${n}`);
  }
}
gc();
const heapAfter = Deno.memoryUsage().heapUsed;
send({ type: "ready", t: now(), memoryBytes: heapAfter - heapBefore, memoryMethod: "V8 heapUsed" });

for await (const command of readCommands()) {
  if (command === "quit") break;
  expectations.set(command.id, command);
  send({ type: "ack", id: command.id, cpuUs: cpuUs() });
  for (let i = 0; i < w; i++) check(i);
}
await Promise.all(watchers.map((watcher) => watcher.registry.close()));
Deno.exit(0);
