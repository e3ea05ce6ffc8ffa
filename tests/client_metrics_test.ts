import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import type { ClientMetricsRecorder, WatchKind } from "../mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";

/** A recorder that keeps every call, in order. */
class CallLog implements ClientMetricsRecorder {
  readonly started: string[] = [];
  readonly ended: { op: string; ms: number; errorCode?: string }[] = [];
  readonly watches: [WatchKind, number][] = [];
  readonly events: string[] = [];
  readonly states: string[] = [];
  requestStarted(op: string): void {
    this.started.push(op);
  }
  requestEnded(op: string, ms: number, errorCode?: string): void {
    this.ended.push(errorCode === undefined ? { op, ms } : { op, ms, errorCode });
  }
  watchesHeld(kind: WatchKind, count: number): void {
    this.watches.push([kind, count]);
  }
  eventDelivered(type: string): void {
    this.events.push(type);
  }
  stateChanged(state: string): void {
    this.states.push(state);
  }
}

describe("A client's metrics recorder", () => {
  const fx = useZooKeeper();

  it("sees each request by operation with its duration, and failures by error code", async () => {
    await using root = await fx.chroot();
    const log = new CallLog();
    const zk = await root.connect({ metrics: log });
    assert.deepEqual(log.states, ["connected"]);
    await zk.create("/a", "x");
    await zk.getData("/a");
    await assert.rejects(zk.create("/a"), { code: "NODEEXISTS" });
    await assert.rejects(zk.getData("/missing"), { code: "NONODE" });
    assert.equal(await zk.exists("/missing"), null);
    await zk.setData("/a", "y");
    await zk.delete("/a");
    // create asks for the path alone; createWithStat for the Stat too.
    assert.equal((await zk.createWithStat("/b")).stat.version, 0);
    assert.deepEqual(log.started, [
      "create",
      "getData",
      "create",
      "getData",
      "exists",
      "setData",
      "delete",
      "create2",
    ]);
    assert.deepEqual(
      log.ended.map(({ op, errorCode }) => errorCode ? `${op} ${errorCode}` : op),
      [
        "create",
        "getData",
        "create NODEEXISTS",
        "getData NONODE",
        "exists NONODE",
        "setData",
        "delete",
        "create2",
      ],
    );
    for (const { ms } of log.ended) assert.ok(ms >= 0 && ms < 60_000, `${ms} ms`);
    await zk.close();
    assert.deepEqual(log.started.at(-1), "closeSession");
    assert.deepEqual(log.states, ["connected", "closed"]);
  });

  it("sees the watches held by kind rise and fall, and each event delivered", async () => {
    await using root = await fx.chroot();
    const log = new CallLog();
    const zk = await root.connect({ metrics: log });
    const other = await root.connect();
    await zk.create("/w", "0");
    let fired!: () => void;
    const changed = new Promise<void>((resolve) => fired = resolve);
    await zk.getData("/w", { watch: () => fired() });
    await zk.exists("/none", { watch: () => {} });
    await zk.getChildren("/w", { watch: () => {} });
    assert.deepEqual(log.watches, [["data", 1], ["exist", 1], ["child", 1]]);
    await other.setData("/w", "1");
    await changed;
    assert.deepEqual(log.watches.at(-1), ["data", 0]);
    assert.deepEqual(log.events, ["NodeDataChanged"]);
    await zk.addWatch("/w", "persistentRecursive", () => {});
    assert.deepEqual(log.watches.at(-1), ["persistentRecursive", 1]);
    await zk.removeAllWatches("/w", "any");
    assert.deepEqual(log.watches.slice(-2).sort(), [["child", 0], ["persistentRecursive", 0]]);
  });
});
