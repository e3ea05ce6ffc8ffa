/**
 * Bad input through the public API against a real server: every refusal is
 * `BADARGUMENTS` naming the argument, nothing reaches the wire, and the same
 * session serves a normal call right after. Then thousands of calls in flight
 * with random deadlines and aborts: every reply still reaches its own call.
 */

import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { type ZooKeeper, ZooKeeperError } from "../mod.ts";
import type { Op } from "../mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { seededRandom as random } from "./helpers/random.ts";

const SEED = 0x5eed_2026;

// deno-lint-ignore no-explicit-any
type Any = any;

const NOT_DATA: unknown[] = [
  123,
  true,
  {},
  [1, 2, 300],
  new Uint16Array([1, 2]),
  new Float64Array([1.5]),
  new Uint8ClampedArray(2),
  new DataView(new ArrayBuffer(2)),
  new ArrayBuffer(4),
  10n,
  () => {},
  null,
  Object.create(null),
  Symbol("s"),
];

const NOT_VERSIONS: unknown[] = [
  NaN,
  Infinity,
  -Infinity,
  2 ** 53,
  2 ** 32,
  2 ** 32 - 1,
  2 ** 32 + 1,
  2 ** 31,
  -(2 ** 31) - 1,
  1.5,
  "1",
  null,
  {},
  10n,
  true,
];

const NOT_ACLS: unknown[] = [
  "world:anyone",
  {},
  null,
  [null],
  [{}],
  [{ perms: 31 }],
  [{ perms: 2 ** 32 + 31, id: { scheme: "world", id: "anyone" } }],
  [{ perms: 1.5, id: { scheme: "world", id: "anyone" } }],
  [{ perms: 32, id: { scheme: "world", id: "anyone" } }],
  [{ perms: -1, id: { scheme: "world", id: "anyone" } }],
  [{ perms: "31", id: { scheme: "world", id: "anyone" } }],
  [{ perms: 31, id: { scheme: 1, id: "anyone" } }],
  [{ perms: 31, id: { scheme: "world", id: Object.create(null) } }],
  [{ perms: 31, id: null }],
];

const NOT_PATHS: unknown[] = [Object.create(null), 1, null, undefined, {}, ["/a"], Symbol("p")];

function badArguments(argument: RegExp) {
  return (e: unknown) => {
    assert.ok(ZooKeeperError.is(e, "BADARGUMENTS"), `expected BADARGUMENTS, got ${e}`);
    assert.match(e.message, argument);
    return true;
  };
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)];
}

describe("Arguments from plain JavaScript, on a real server", () => {
  const fx = useZooKeeper();
  let zk: ZooKeeper;
  let base: string;
  let served = 0;

  // A normal call on the same session after a refusal: the connection and
  // the reply order are intact.
  async function stillServes(): Promise<void> {
    const path = `${base}/ok${served++}`;
    await zk.create(path, "fine");
    assert.equal(new TextDecoder().decode((await zk.getData(path)).data), "fine");
  }

  before(async () => {
    zk = await fx.connect();
    base = await zk.create("/fuzz");
    await zk.create(`${base}/v1`, "one");
    await zk.setData(`${base}/v1`, "two");
  });

  it("data that is not a string or a Uint8Array is refused in create, setData and multi", async () => {
    for (const value of NOT_DATA) {
      await assert.rejects(
        zk.create(`${base}/d`, value as Any),
        badArguments(/data must be a string or a Uint8Array, not /),
      );
      await assert.rejects(zk.setData(`${base}/v1`, value as Any), badArguments(/data must be/));
      await assert.rejects(
        zk.multi([{ op: "setData", path: `${base}/v1`, data: value as Any }]),
        badArguments(/operation 0, setData .*data must be/),
      );
      await stillServes();
    }
    assert.equal(await zk.exists(`${base}/d`), null);
    assert.equal(new TextDecoder().decode((await zk.getData(`${base}/v1`)).data), "two");
  });

  it("a version outside the signed 32-bit integers never becomes 'any version'", async () => {
    const path = `${base}/v1`;
    for (const version of NOT_VERSIONS) {
      const v = version as Any;
      const refused = badArguments(/version must be an integer from -1 \(any\) to 2147483647/);
      await assert.rejects(zk.delete(path, { version: v }), refused);
      await assert.rejects(zk.setData(path, "x", { version: v }), refused);
      await assert.rejects(zk.setACL(path, [...OPEN], { version: v }), refused);
      await assert.rejects(zk.multi([{ op: "delete", path, version: v }]), refused);
      await assert.rejects(zk.multi([{ op: "check", path, version: v }]), refused);
      await assert.rejects(zk.multi([{ op: "setData", path, data: "x", version: v }]), refused);
      await stillServes();
    }
    const { stat, data } = await zk.getData(path);
    assert.equal(stat.version, 1);
    assert.equal(stat.aversion, 0);
    assert.equal(new TextDecoder().decode(data), "two");
  });

  it("ACL entries need integer perms within 0..31 and string ids", async () => {
    for (const acl of NOT_ACLS) {
      await assert.rejects(zk.create(`${base}/acl`, "", { acl: acl as Any }), badArguments(/acl/));
      await assert.rejects(zk.setACL(`${base}/v1`, acl as Any), badArguments(/acl/));
      await assert.rejects(
        zk.multi([{ op: "create", path: `${base}/acl`, acl: acl as Any }]),
        badArguments(/acl/),
      );
      await stillServes();
    }
    assert.equal(await zk.exists(`${base}/acl`), null);
    assert.equal((await zk.getACL(`${base}/v1`)).acl[0].perms, 31);
  });

  it("a path that is not a string is refused by every path-taking call", async () => {
    for (const path of NOT_PATHS) {
      const p = path as Any;
      const calls: Promise<unknown>[] = [
        zk.create(p),
        zk.createWithStat(p),
        zk.delete(p),
        zk.exists(p),
        zk.getData(p),
        zk.setData(p, "x"),
        zk.getChildren(p),
        zk.getChildrenWithStat(p),
        zk.getACL(p),
        zk.setACL(p, [...OPEN]),
        zk.sync(p),
        zk.getEphemerals(p === undefined ? null as Any : p),
        zk.getAllChildrenNumber(p),
        zk.addWatch(p, "persistent", () => {}),
        zk.multi([{ op: "delete", path: p }]),
        zk.multiRead([{ op: "getData", path: p }]),
      ];
      for (const call of calls) await assert.rejects(call, badArguments(/path must be a string/));
      await stillServes();
    }
  });

  it("options, watchers, modes, signals and timeouts of the wrong type are refused", async () => {
    const path = `${base}/v1`;
    await assert.rejects(zk.getData(path, null as Any), badArguments(/options must be an object/));
    await assert.rejects(zk.getData(path, 5 as Any), badArguments(/options must be an object/));
    await assert.rejects(zk.getData(path, { watch: 1 as Any }), badArguments(/watch must be/));
    await assert.rejects(zk.create(`${base}/m`, "", { mode: {} as Any }), badArguments(/mode/));
    await assert.rejects(
      zk.create(`${base}/m`, "", { mode: Object.create(null) }),
      badArguments(/mode must be a string/),
    );
    await assert.rejects(zk.exists(path, { signal: {} as Any }), badArguments(/signal/));
    for (const timeout of [-1, NaN, "5", null]) {
      await assert.rejects(zk.exists(path, { timeout: timeout as Any }), badArguments(/timeout/));
    }
    await assert.rejects(zk.addWatch(path, "sometimes" as Any, () => {}), badArguments(/mode/));
    await assert.rejects(zk.addWatch(path, "persistent", 1 as Any), badArguments(/listener/));
    await assert.rejects(zk.multi("ops" as Any), badArguments(/ops must be an array/));
    await assert.rejects(zk.multi([null as Any]), badArguments(/must be an object/));
    await assert.rejects(zk.multi([{ op: "getData", path } as Any]), badArguments(/op must be/));
    await assert.rejects(zk.multiRead([{ op: "delete", path } as Any]), badArguments(/op must/));
    await assert.rejects(zk.addAuth(5 as Any, "x"), badArguments(/scheme must be a string/));
    await assert.rejects(zk.addAuth("digest", 5 as Any), badArguments(/auth must be/));
    await assert.rejects(zk.reconfig({ leaving: ["a" as Any] }), badArguments(/leaving\[0\]/));
    await assert.rejects(
      zk.removeWatches(path, () => {}, "any", null as Any),
      (e: unknown) => ZooKeeperError.is(e, "NOWATCHER"),
    );
    await assert.rejects(zk.removeAllWatches(path, Symbol("t") as Any), badArguments(/a symbol/));
    await assert.rejects(zk.removeAllWatches(Object.create(null)), badArguments(/path must be/));
    await stillServes();
  });

  it("the error of a reply carries the frames of the code awaiting the call", async () => {
    async function callerOfCreate(): Promise<unknown> {
      try {
        await zk.create(`${base}/v1`);
      } catch (error) {
        return error;
      }
    }
    const error = await callerOfCreate();
    assert.ok(ZooKeeperError.is(error, "NODEEXISTS"));
    assert.match(String(error.stack), /callerOfCreate/);
    assert.doesNotMatch(
      String(error.stack),
      /reply_router|request_queue|connection\.ts|caller_frames/,
    );
  });

  it("a seeded mix of bad arguments, deadlines and aborts among 5,000 calls in flight", async () => {
    const next = random(SEED);
    const NODES = 50;
    const text = new TextDecoder();
    await zk.multi(
      Array.from({ length: NODES }, (_, i): Op => ({
        op: "create",
        path: `${base}/n${i}`,
        data: `n${i}`,
      })),
    );
    const states: string[] = [];
    const unsubscribe = zk.onStateChange((s) => states.push(s.type));
    const session = zk.sessionId;
    const aborts: AbortController[] = [];
    let settledCount = 0;
    const outcomes = { ok: 0, refused: 0, timedOut: 0, aborted: 0 };
    const reason = new Error("aborted by the test");
    const calls: Promise<void>[] = [];
    for (let i = 0; i < 5000; i++) {
      const n = Math.floor(next() * NODES);
      const path = `${base}/n${n}`;
      const roll = next();
      const options: { timeout?: number; signal?: AbortSignal } = {};
      if (next() < 0.2) options.timeout = Math.floor(next() * 20);
      if (next() < 0.2) {
        const controller = new AbortController();
        aborts.push(controller);
        options.signal = controller.signal;
      }
      let call: Promise<void>;
      if (roll < 0.15) {
        const bad = pick(next, [
          () => zk.setData(path, pick(next, NOT_DATA) as Any, options),
          () => zk.delete(path, { ...options, version: pick(next, NOT_VERSIONS) as Any }),
          () => zk.setACL(path, pick(next, NOT_ACLS) as Any, options),
          () => zk.getData(pick(next, NOT_PATHS) as Any, options),
        ]);
        call = bad().then(
          () => assert.fail("a bad argument was accepted"),
          badArguments(/./),
        ).then(() => {
          outcomes.refused++;
        });
      } else {
        const read = roll < 0.6
          ? zk.getData(path, options).then((r) => assert.equal(text.decode(r.data), `n${n}`))
          : roll < 0.8
          ? zk.exists(path, options).then((stat) => assert.ok(stat !== null))
          : zk.getChildren(path, options).then((children) => assert.deepEqual(children, []));
        call = read.then(() => {
          outcomes.ok++;
        }, (e: unknown) => {
          if (e === reason) outcomes.aborted++;
          else if (ZooKeeperError.is(e, "OPERATIONTIMEOUT")) outcomes.timedOut++;
          else throw e;
        });
      }
      calls.push(call.finally(() => {
        settledCount++;
        // Aborts come at random points of the stream of replies.
        while (aborts.length > 0 && next() < 0.3) {
          aborts.splice(Math.floor(next() * aborts.length), 1)[0].abort(reason);
        }
      }));
    }
    for (const controller of aborts) controller.abort(reason);
    await Promise.all(calls);
    unsubscribe();
    assert.equal(settledCount, 5000);
    assert.deepEqual(states, [], "the connection never dropped");
    assert.equal(zk.sessionId, session);
    const { ok, refused, timedOut, aborted } = outcomes;
    assert.ok(ok > 0 && refused > 0 && timedOut > 0 && aborted > 0, JSON.stringify(outcomes));
    await stillServes();
  });
});

const OPEN = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
