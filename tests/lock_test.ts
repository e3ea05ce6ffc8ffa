import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Lock, Registry, ZooKeeper } from "../mod.ts";
import { startZooKeeper, type ZkServer } from "./helpers/zk_server.ts";

describe("Lock on a real server", () => {
  let server: ZkServer;
  let clients: ZooKeeper[];

  before(async () => {
    server = await startZooKeeper();
    clients = await Promise.all(
      Array.from({ length: 5 }, () => ZooKeeper.connect(server.connectString)),
    );
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server?.stop();
  });

  it("gives mutual exclusion: no lost update among contending clients", async () => {
    await clients[0].create("/counter", "0");
    await Promise.all(clients.map(async (zk) => {
      for (let i = 0; i < 10; i++) {
        await using lock = new Lock(zk, "/locks/counter");
        assert.equal(await lock.acquire(), true);
        const { data } = await zk.getData("/counter");
        await zk.setData("/counter", String(Number(new TextDecoder().decode(data)) + 1));
      }
    }));
    const { data } = await clients[0].getData("/counter");
    assert.equal(new TextDecoder().decode(data), "50");
    assert.deepEqual(await clients[0].getChildren("/locks/counter"), []);
  });

  it("grants the lock in the order it was asked for", async () => {
    const first = new Lock(clients[0], "/locks/fifo");
    assert.equal(await first.acquire(), true);
    const order: number[] = [];
    const waiters = [1, 2, 3].map((i) => {
      const lock = new Lock(clients[i], "/locks/fifo");
      return { i, lock };
    });
    const done: Promise<void>[] = [];
    for (const { i, lock } of waiters) {
      done.push(
        lock.acquire().then(async () => {
          order.push(i);
          await lock.release();
        }),
      );
      await new Promise((r) => setTimeout(r, 30));
    }
    await first.release();
    await Promise.all(done);
    assert.deepEqual(order, [1, 2, 3]);
  });

  it("wait 0 tries once and leaves nothing behind", async () => {
    const holder = new Lock(clients[0], "/locks/once", { name: "holder" });
    assert.equal(await holder.acquire(), true);
    const other = new Lock(clients[1], "/locks/once", { wait: 0 });
    assert.equal(await other.acquire(), false);
    const start = Date.now();
    const timed = new Lock(clients[2], "/locks/once", { wait: 200 });
    assert.equal(await timed.acquire(), false);
    assert.ok(Date.now() - start >= 150);
    assert.equal((await clients[0].getChildren("/locks/once")).length, 1);
    assert.deepEqual(await holder.holders(), ["holder"]);
    await holder.release();
  });

  it("an aborted wait rejects with the reason and leaves nothing behind", async () => {
    const holder = new Lock(clients[0], "/locks/abort");
    await holder.acquire();
    const controller = new AbortController();
    const waiting = new Lock(clients[1], "/locks/abort", { signal: controller.signal }).acquire();
    setTimeout(() => controller.abort(new Error("stop waiting")), 50);
    await assert.rejects(waiting, /stop waiting/);
    assert.equal((await clients[0].getChildren("/locks/abort")).length, 1);
    await holder.release();
  });

  it("a semaphore admits as many holders as it allows", async () => {
    const a = new Lock(clients[0], "/locks/sem", { simultaneous: 2 });
    const b = new Lock(clients[1], "/locks/sem", { simultaneous: 2 });
    const c = new Lock(clients[2], "/locks/sem", { simultaneous: 2 });
    assert.equal(await a.acquire(), true);
    assert.equal(await b.acquire(), true);
    let third = false;
    const pending = c.acquire().then((v) => third = v);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(third, false);
    await a.release();
    await pending;
    assert.equal(third, true);
    await b.release();
    await c.release();
  });

  it("a holder whose session ends lets the next one in and is told", async () => {
    const mortal = await ZooKeeper.connect(server.connectString);
    const lost: Error[] = [];
    const held = new Lock(mortal, "/locks/mortal", { onLost: (e) => lost.push(e) });
    await held.acquire();
    const next = new Lock(clients[1], "/locks/mortal").acquire();
    await mortal.close();
    assert.equal(await next, true);
    assert.equal(lost.length, 1);
    assert.equal(held.held, false);
  });

  it("the registry's acquireLock and releaseLock work by path", async () => {
    await using registry = await Registry.connect({ servers: server.connectString });
    const lock = await registry.acquireLock("/locks/registry", { wait: 1000 });
    assert.ok(lock?.held);
    assert.equal(await new Lock(clients[0], "/locks/registry", { wait: 0 }).acquire(), false);
    await registry.releaseLock("/locks/registry");
    assert.equal(await new Lock(clients[0], "/locks/registry", { wait: 0 }).acquire(), true);
  });
});
