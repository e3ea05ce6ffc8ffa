/**
 * A client whose replies a test hands out one by one, in any order, for the
 * unit tests of the registry's caches.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type Stat,
  type WatchedEvent,
  type Watcher,
  type ZooKeeper,
  ZooKeeperError,
} from "../../mod.ts";
import { idle } from "./timing.ts";
import { zeroStat } from "./server_codec.ts";

const encoder = new TextEncoder();

export function stat(mzxid: number): Stat {
  const z = BigInt(mzxid);
  return zeroStat({ czxid: 1n, mzxid: z, pzxid: z });
}

export interface Call {
  op: string;
  path: string;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** A client whose replies the test hands out one by one, in any order. */
export function fakeClient(
  options: { addWatch?: "UNIMPLEMENTED"; holdRemovals?: boolean; holdAddWatch?: boolean } = {},
) {
  const calls: Call[] = [];
  const watched: string[] = [];
  // Every request, in the order sent.
  const sent: string[] = [];
  let watcher: Watcher | undefined;
  // The persistent watches set, by path: an event goes to the one above it.
  const persistent = new Map<string, Watcher>();
  const call = (op: string, path: string) => {
    sent.push(`${op} ${path}`);
    return new Promise((resolve, reject) => calls.push({ op, path, resolve, reject }));
  };
  const watching = (op: string, path: string, o?: { watch?: Watcher }) => {
    if (o?.watch !== undefined) {
      watcher = o.watch;
      watched.push(`${op} ${path}`);
    }
    return call(op, path);
  };
  const zk = {
    connected: true,
    state: { type: "connected" },
    addWatch: (_path: string, _mode: string, w: Watcher) => {
      if (options.addWatch !== undefined) {
        return Promise.reject(ZooKeeperError.fromServer(options.addWatch, "watch", _path));
      }
      watcher = w;
      persistent.set(_path, w);
      if (options.holdAddWatch) return call("addWatch", _path);
      sent.push(`addWatch ${_path}`);
      return Promise.resolve();
    },
    getData: (path: string, o?: { watch?: Watcher }) => watching("getData", path, o),
    getChildren: (path: string, o?: { watch?: Watcher }) => watching("getChildren", path, o),
    getChildrenWithStat: (path: string, o?: { watch?: Watcher }) =>
      watching("getChildren2", path, o),
    exists: (path: string) => call("exists", path),
    removeWatches: (path: string) => {
      if (options.holdRemovals) return call("removeWatches", path);
      sent.push(`removeWatches ${path}`);
      return Promise.resolve();
    },
  };
  // The cache has handled what it was given once every queued promise
  // callback has run: the fake has no event for that.
  const tick = idle;
  return {
    zk: zk as unknown as ZooKeeper,
    calls,
    watched,
    sent,
    event(event: Omit<WatchedEvent, "state">) {
      const above = [...persistent].find(([path]) =>
        event.path === path || event.path.startsWith(`${path}/`)
      );
      (above?.[1] ?? watcher)!({ ...event, state: "SyncConnected" });
    },
    /** Answers a call now: its reply is on the wire before what the test does next. */
    answer(op: string, path: string, value: unknown) {
      const i = calls.findIndex((c) => c.op === op && c.path === path);
      assert.ok(i >= 0, `no ${op} of ${path} awaits a reply`);
      calls.splice(i, 1)[0].resolve(value);
    },
    async reply(op: string, path: string, value: unknown) {
      await tick();
      this.answer(op, path, value);
      await tick();
    },
    tick,
  };
}

export function data(value: unknown, mzxid: number) {
  return { data: encoder.encode(JSON.stringify(value)), stat: stat(mzxid) };
}
