/**
 * A seeded model-based check: random writers change a service while
 * registries follow it in each mode (persistent watches, one-shot watches,
 * names only); at each calm point every registry's snapshot must equal a
 * fresh read. A failure names its seed, which replays it.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { Registry, type ZooKeeper, ZooKeeperError } from "../mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually } from "./helpers/wait.ts";
import { seededRandom as random } from "./helpers/random.ts";

const SEEDS = [1, 2, 3, 4, 5];
const ROUNDS = 10;
const OPS = 12;
const NAMES = ["a", "b", "c", "d", "e", "f"];

/** One random change of /svc; the refusals a race makes are expected. */
async function change(zk: ZooKeeper, next: () => number): Promise<void> {
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)];
  const path = `/svc/${pick(NAMES)}`;
  const value = JSON.stringify(Math.floor(next() * 100));
  const kind = Math.floor(next() * 5);
  const op = kind === 0
    ? zk.create(path, value)
    : kind === 1
    ? zk.delete(path)
    : kind === 2
    ? zk.setData(path, value)
    : kind === 3
    ? zk.setData("/svc", value)
    : zk.multi([
      { op: "create", path: `/svc/${pick(NAMES)}x`, data: value },
      { op: "delete", path },
    ]);
  await (op as Promise<unknown>).catch((error) => {
    if (!ZooKeeperError.is(error, "NODEEXISTS", "NONODE")) throw error;
  });
}

/** The service as a fresh read sees it, in a registry's terms. */
async function fresh(zk: ZooKeeper, childData: boolean) {
  const node = await zk.getData("/svc");
  const names = (await zk.getChildren("/svc")).sort();
  const children: Record<string, unknown> = {};
  for (const name of names) {
    children[name] = childData
      ? JSON.parse(new TextDecoder().decode((await zk.getData(`/svc/${name}`)).data))
      : null;
  }
  return JSON.stringify({ data: JSON.parse(new TextDecoder().decode(node.data)), children });
}

describe("Registry model check", () => {
  const fx = useZooKeeper();

  for (const seed of SEEDS) {
    it(`random writers, registries in every mode agree with a fresh read (seed ${seed})`, async () => {
      console.log(`registry model check: seed ${seed}`);
      const next = random(seed);
      await using root = await fx.chroot();
      const admin = await root.connect();
      const writers = [await root.connect(), await root.connect()];
      await admin.create("/svc", "0");
      const modes = [
        { persistentWatches: true, childData: true },
        { persistentWatches: false, childData: true },
        { persistentWatches: true, childData: false },
      ];
      const registries = await Promise.all(
        modes.map((mode) => Registry.connect({ servers: root.connectString, ...mode })),
      );
      try {
        const latest = registries.map(() => "");
        registries.forEach((registry, i) =>
          registry.onChange("/svc", (s) => {
            latest[i] = JSON.stringify({ data: s.data, children: { ...s.children } });
          })
        );
        for (const [i, registry] of registries.entries()) {
          const s = await registry.get("/svc");
          latest[i] ||= JSON.stringify({ data: s.data, children: { ...s.children } });
        }
        for (let round = 0; round < ROUNDS; round++) {
          const ops: Promise<void>[] = [];
          for (let i = 0; i < OPS; i++) ops.push(change(writers[i % writers.length], next));
          await Promise.all(ops);
          for (const [i, mode] of modes.entries()) {
            const truth = await fresh(admin, mode.childData);
            await eventually(
              () => latest[i] === truth,
              `seed ${seed}, round ${round}, ${JSON.stringify(mode)}: ${latest[i]} to be ${truth}`,
              10_000,
            );
            const snapshot = await registries[i].get("/svc");
            assert.equal(snapshot.stat?.numChildren, Object.keys(snapshot.children).length);
          }
        }
      } finally {
        await Promise.all(registries.map((registry) => registry.close()));
      }
    });
  }
});
