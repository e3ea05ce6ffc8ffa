/**
 * A seeded model-based check of the registry's cache. Random writers change
 * a service (children created and deleted, ephemeral and persistent, data
 * changed on children and on the service node, the service deleted and
 * created again, bursts, grandchildren, large and non-JSON data), straight
 * on the server, while registries in every mode follow it through a fault
 * proxy that cuts them off, falls silent past their session timeout, or
 * goes away as a restarting server does. Each registry has listeners of
 * every kind (`get` with a callback, `onChange`, `watch`), attached at the
 * start or midway, some released and attached again, and lookups without
 * a callback.
 *
 * The truth is the writers' own log (see ./helpers/registry_model.ts):
 * every snapshot a listener receives must be a state the tree was in, no
 * earlier than the one before it. At the end of each round (a calm point)
 * the network heals, a change made then must reach every listener, and
 * every registry's snapshot must equal a fresh read and not be `stale`.
 *
 * The seeds are printed; `MODEL_SEED=123` runs that seed alone, and
 * `MODEL_SEEDS=20` runs seeds 1 to 20.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import process from "node:process";
import { Registry, type ZooKeeper } from "../mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { startFaultProxy } from "./helpers/fault_proxy.ts";
import { within } from "./helpers/wait.ts";
import { seededRandom as random } from "./helpers/random.ts";
import {
  CLOCK,
  decode,
  freshState,
  SERVICE,
  snapshotKey,
  stateKey,
  Track,
  Truth,
} from "./helpers/registry_model.ts";
import { Writers } from "./helpers/registry_writers.ts";

const SEEDS = process.env.MODEL_SEED !== undefined
  ? [Number(process.env.MODEL_SEED)]
  : Array.from({ length: Number(process.env.MODEL_SEEDS ?? 5) }, (_, i) => i + 1);
const ROUNDS = 6;
const STEPS = 8;
const SESSION_TIMEOUT = 1000;
const MODES = [
  { name: "persistent", persistentWatches: true, childData: true },
  { name: "one-shot", persistentWatches: false, childData: true },
  { name: "names only", persistentWatches: true, childData: false },
] as const;

/** A listener that can be attached and released; each attachment has its own track. */
interface Listener {
  track: Track | undefined;
  attach(): void;
  release(): void;
}

/** Resolves once the node exists (`present`) or does not. */
async function existence(zk: ZooKeeper, path: string, present: boolean): Promise<void> {
  for (;;) {
    let fired = () => {};
    const changed = new Promise<void>((resolve) => fired = resolve);
    if (((await zk.exists(path, { watch: () => fired() })) !== null) === present) return;
    await changed;
  }
}

/** Resolves once the registry has a connected session. */
function connected(registry: Registry, what: string): Promise<void> {
  if (registry.client?.connected) return Promise.resolve();
  let off = () => {};
  const up = new Promise<void>((resolve) => {
    off = registry.onStateChange(() => registry.client?.connected && resolve());
  });
  return within(up, what).finally(() => off());
}

/** What a listener of each kind looks like on one registry. */
function listeners(registry: Registry, mode: string, childData: boolean, ends: Promise<void>[]) {
  let made = 0;
  const label = (kind: string) => `${mode} ${kind} #${++made}`;
  const onChange = (): Listener => {
    let off = () => {};
    const listener: Listener = {
      track: undefined,
      attach() {
        const track = listener.track = new Track(label("onChange"), childData);
        off = registry.onChange(SERVICE, track.deliver);
      },
      release() {
        off();
        listener.track = undefined;
      },
    };
    return listener;
  };
  const watch = (): Listener => {
    let abort = new AbortController();
    const listener: Listener = {
      track: undefined,
      attach() {
        const track = listener.track = new Track(label("watch"), childData);
        abort = new AbortController();
        ends.push((async () => {
          for await (const s of registry.watch(SERVICE, { signal: abort.signal })) track.deliver(s);
        })());
      },
      release() {
        abort.abort();
        listener.track = undefined;
      },
    };
    return listener;
  };
  const get = (): Listener => {
    const listener: Listener = {
      track: undefined,
      attach() {
        const track = listener.track = new Track(label("get"), childData);
        // The result when asked, unless a newer one reached the callback first.
        ends.push(
          registry.get(SERVICE, track.deliver).then((s) => {
            if (track.received === 0) track.deliver(s);
          }),
        );
      },
      release() {},
    };
    return listener;
  };
  return { onChange, watch, get };
}

describe("Registry model check", () => {
  const fx = useZooKeeper();

  for (const seed of SEEDS) {
    it(`every snapshot a registry delivers is a state the tree was in, in order (seed ${seed})`, {
      timeout: 120_000,
    }, async () => {
      console.log(`registry model check: seed ${seed} (MODEL_SEED=${seed} replays it)`);
      const started = Date.now();
      const next = random(seed);
      const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
      await using root = await fx.chroot();
      await using proxy = await startFaultProxy(fx.server);
      const admin = await root.connect();
      const zks = [await root.connect(), await root.connect()];
      await admin.create(CLOCK);
      const initial = await admin.createWithStat(SERVICE, '{"start":true}');
      const truth = new Truth({
        zxid: initial.stat.czxid,
        node: { value: decode(new TextEncoder().encode('{"start":true}')), stat: initial.stat },
        children: new Map(),
      });
      const writers = new Writers(truth, next, seed);
      const failures: unknown[] = [];
      const errors: unknown[] = [];
      const registries = await Promise.all(MODES.map((mode) =>
        Registry.connect({
          servers: `${proxy.address}${root.path}`,
          sessionTimeout: SESSION_TIMEOUT,
          persistentWatches: mode.persistentWatches,
          childData: mode.childData,
          onError: (error) => errors.push(error),
        })
      ));
      const ends: Promise<void>[] = [];
      const tracks: Track[] = [];
      const all: Listener[] = [];
      const releasable: Listener[] = [];
      const late: Listener[] = [];
      const polls = MODES.map((mode) => new Track(`${mode.name} lookups`, mode.childData));
      tracks.push(...polls);
      const attach = (listener: Listener) => {
        listener.attach();
        tracks.push(listener.track!);
      };
      try {
        for (const [i, registry] of registries.entries()) {
          const { name, childData } = MODES[i];
          const kinds = listeners(registry, name, childData, ends);
          await registry.setNode(`/alive/r${i}`, {});
          const onChange = kinds.onChange();
          const watch = kinds.watch();
          all.push(onChange, watch);
          releasable.push(watch);
          // The names-only registry's path is released whole at times.
          if (!childData) releasable.push(onChange);
          late.push(kinds.get());
        }
        all.forEach(attach);
        const inflight: Promise<void>[] = [];
        const background = (work: Promise<unknown>) =>
          inflight.push(work.then(() => {}, (error) => void failures.push(error)));

        for (let round = 0; round < ROUNDS; round++) {
          const at = `seed ${seed}, round ${round}`;
          const fault = pick(["none", "cut", "down", "blackhole", "cut", "down"] as const);
          const faultAt = Math.floor(next() * STEPS);
          const upAt = faultAt + Math.floor(next() * STEPS);
          let expired: Promise<void>[] = [];
          for (let step = 0; step < STEPS; step++) {
            const burst = next() < 0.2 ? 6 + Math.floor(next() * 10) : 1 + Math.floor(next() * 3);
            for (let j = 0; j < burst; j++) background(writers.write(zks[j % zks.length]));
            if (next() < 0.4) await Promise.all(inflight.splice(0));
            if (round === 0 && step === faultAt) {
              const now = late.splice(0);
              now.forEach(attach);
              all.push(...now);
            }
            if (next() < 0.3) {
              const listener = pick(releasable);
              if (listener.track === undefined) attach(listener);
              else listener.release();
            }
            if (next() < 0.3) {
              const i = Math.floor(next() * registries.length);
              background(registries[i].get(SERVICE).then(polls[i].deliver));
            }
            if (next() < 0.1) background(registries[2].release(SERVICE, { childData: false }));
            if (step === faultAt && fault === "cut") proxy.cut();
            if (step === faultAt && fault === "down") {
              await proxy.refuse(true);
              proxy.cut();
            }
            if (step === upAt && fault === "down") await proxy.refuse(false);
            if (step === faultAt && fault === "blackhole") {
              proxy.setMode("blackhole");
              expired = registries.map((_, i) => existence(admin, `/alive/r${i}`, false));
            }
          }

          // A calm point: the writes are done, the network heals.
          await Promise.all(inflight.splice(0));
          assert.deepEqual(failures, [], `${at}: a write or a lookup failed`);
          await within(Promise.all(expired), `${at}: the sessions to expire`);
          proxy.setMode("pass");
          await proxy.refuse(false);
          if (fault === "blackhole") proxy.cut();
          await Promise.all(
            registries.map((r, i) => connected(r, `${at}: registry ${i} to connect`)),
          );

          // A change after healing reaches every listener.
          truth.catchUp();
          const data = writers.data();
          const probe = truth.last.node === null
            ? (await admin.createWithStat(SERVICE, data)).stat
            : await admin.setData(SERVICE, data);
          truth.record(probe.mzxid, [{ path: SERVICE, value: decode(data), stat: probe }]);
          truth.catchUp();
          const fresh = await freshState(admin);
          assert.equal(
            stateKey(truth.last, true),
            stateKey(fresh, true),
            `${at}: the log is the tree`,
          );
          const reached = await Promise.allSettled(
            all.filter((l) => l.track !== undefined).map((l) =>
              l.track!.reached(stateKey(fresh, l.track!.childData), "the change after healing")
            ),
          );
          const missed = reached.flatMap((r) => r.status === "rejected" ? [String(r.reason)] : []);
          assert.deepEqual(missed, [], `${at} (${fault}): errors ${errors.join("; ")}`);
          for (const [i, registry] of registries.entries()) {
            const snapshot = await registry.get(SERVICE);
            polls[i].deliver(snapshot);
            assert.equal(snapshot.stale, false, `${at}: ${MODES[i].name} is stale once healed`);
            assert.equal(
              snapshotKey(snapshot),
              stateKey(fresh, MODES[i].childData),
              `${at}: ${MODES[i].name}`,
            );
          }
          const problems = tracks.flatMap((track) => track.check(truth));
          assert.deepEqual(problems, [], `${at}: snapshots that were no state in order`);
          await Promise.all(
            registries.map((_, i) =>
              within(existence(admin, `/alive/r${i}`, true), `${at}: registration ${i} to be back`)
            ),
          );
        }
        console.log(
          `seed ${seed}: ${truth.states.length} states, ${tracks.length} tracks, ` +
            `${Date.now() - started} ms; errors reported: ${errors.length}${
              errors.map((e) => `; ${e}`).join("")
            }`,
        );
      } finally {
        for (const listener of all) listener.release();
        await Promise.all(registries.map((registry) => registry.close()));
        await Promise.allSettled(ends);
      }
    });
  }
});
