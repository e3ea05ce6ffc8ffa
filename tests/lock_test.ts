import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { hostname } from "node:os";
import process from "node:process";
import { Lock, Registry, ZooKeeper, ZooKeeperError } from "../mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { startFaultProxy } from "./helpers/fault_proxy.ts";
import { bySequence } from "../src/registry/lock.ts";
import { eventually, settle, within } from "./helpers/wait.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const sid = (zk: ZooKeeper) => `0x${zk.sessionId.toString(16)}`;

describe("Lock on a real server", () => {
  const fx = useZooKeeper();
  let clients: ZooKeeper[];

  /** The lock's children, sorted by sequence number. */
  /**
   * The client, seen through a proxy that resolves `armed` once a watch
   * it sets is in place on the server (the reply of the read setting it).
   */
  function watching(zk: ZooKeeper): { client: ZooKeeper; armed: Promise<void> } {
    let armed!: () => void;
    const done = new Promise<void>((resolve) => armed = resolve);
    const client = new Proxy(zk, {
      get(target, name) {
        const value = Reflect.get(target, name, target);
        if (typeof value !== "function") return value;
        if (name !== "exists" && name !== "getChildren") return value.bind(target);
        return async (path: string, options?: { watch?: unknown }) => {
          const reply = await value.call(target, path, options);
          if (options?.watch !== undefined) armed();
          return reply;
        };
      },
    });
    return { client, armed: done };
  }

  async function nodes(path: string): Promise<string[]> {
    const children = await clients[0].getChildren(path).catch(() => []);
    return children.sort((a, b) => Number(a.slice(-10)) - Number(b.slice(-10)));
  }

  /** The paths under `prefix` each session watches, from the server's `wchc`. */
  async function watches(prefix: string): Promise<Map<string, string[]>> {
    const bySession = new Map<string, string[]>();
    let session: string[] = [];
    for (const line of (await fx.server.fourLetter("wchc")).split("\n")) {
      if (line.startsWith("0x")) bySession.set(line.trim(), session = []);
      else if (line.trim().startsWith(prefix + "/")) session.push(line.trim());
    }
    for (const [id, paths] of bySession) if (paths.length === 0) bySession.delete(id);
    return bySession;
  }

  before(async () => {
    clients = await Promise.all(Array.from({ length: 5 }, () => fx.connect()));
  });

  it("gives mutual exclusion: no lost update among contending clients", async () => {
    await clients[0].create("/counter", "0");
    let inside = 0;
    let most = 0;
    await Promise.all(clients.map(async (zk) => {
      for (let i = 0; i < 10; i++) {
        await using lock = new Lock(zk, "/locks/counter");
        assert.equal(await lock.acquire(), true);
        most = Math.max(most, ++inside);
        const { data } = await zk.getData("/counter");
        await zk.setData("/counter", String(Number(text(data)) + 1));
        inside--;
      }
    }));
    assert.equal(text((await clients[0].getData("/counter")).data), "50");
    assert.equal(most, 1);
    assert.deepEqual(await nodes("/locks/counter"), []);
  });

  it("creates the lock's path and its parents, and names nodes as Curator does", async () => {
    await using lock = new Lock(clients[0], "/deep/er/lock");
    assert.equal(await lock.acquire(), true);
    assert.equal(lock.held, true);
    assert.equal(lock.path, "/deep/er/lock");
    const [node] = await nodes("/deep/er/lock");
    assert.match(
      node,
      /^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-lock-\d{10}$/,
    );
    const { stat } = await clients[0].getData(`/deep/er/lock/${node}`);
    assert.equal(stat.ephemeralOwner, clients[0].sessionId);
  });

  it("grants the lock in the order it was asked for", async () => {
    const first = new Lock(clients[0], "/locks/fifo");
    assert.equal(await first.acquire(), true);
    const order: number[] = [];
    const done: Promise<void>[] = [];
    for (const i of [1, 2, 3, 4]) {
      const lock = new Lock(clients[i], "/locks/fifo");
      done.push(
        lock.acquire().then(async (got) => {
          assert.equal(got, true);
          order.push(i);
          await lock.release();
        }),
      );
      await eventually(async () => (await nodes("/locks/fifo")).length === i + 1, `waiter ${i}`);
    }
    await first.release();
    await Promise.all(done);
    assert.deepEqual(order, [1, 2, 3, 4]);
  });

  it("wait 0 returns false at once and leaves neither node nor watch behind", async () => {
    await using holder = new Lock(clients[0], "/locks/once", { name: "holder" });
    assert.equal(await holder.acquire(), true);
    const before = await nodes("/locks/once");
    const other = new Lock(clients[1], "/locks/once", { wait: 0 });
    assert.equal(await other.acquire(), false);
    assert.equal(other.held, false);
    assert.deepEqual(await nodes("/locks/once"), before);
    assert.equal((await watches("/locks/once")).get(sid(clients[1])), undefined);
  });

  it("wait 200 times out and leaves neither node nor watch behind", async () => {
    await using holder = new Lock(clients[0], "/locks/timed");
    assert.equal(await holder.acquire(), true);
    const before = await nodes("/locks/timed");
    // When it gives up is timed on the fake clock in lock_timing_test.ts.
    const timed = new Lock(clients[2], "/locks/timed", { wait: 200 });
    assert.equal(await timed.acquire(), false);
    assert.equal(timed.held, false);
    assert.deepEqual(await nodes("/locks/timed"), before);
    assert.equal((await watches("/locks/timed")).get(sid(clients[2])), undefined);
  });

  it("an aborted wait rejects with the reason and leaves neither node nor watch behind", async () => {
    await using holder = new Lock(clients[0], "/locks/abort");
    await holder.acquire();
    const before = await nodes("/locks/abort");
    const controller = new AbortController();
    const waiting = new Lock(clients[1], "/locks/abort", { signal: controller.signal });
    const pending = waiting.acquire();
    await eventually(async () => (await nodes("/locks/abort")).length === 2, "the waiter's node");
    controller.abort(new Error("stop waiting"));
    await assert.rejects(within(pending, "the lock", 5000), /stop waiting/);
    assert.deepEqual(await nodes("/locks/abort"), before);
    assert.equal((await watches("/locks/abort")).get(sid(clients[1])), undefined);
  });

  it("an abort while the node is being created rejects too, and one made before sends nothing", async () => {
    await using holder = new Lock(clients[0], "/locks/early");
    await holder.acquire();
    const before = await nodes("/locks/early");
    const controller = new AbortController();
    const pending = new Lock(clients[1], "/locks/early", { signal: controller.signal }).acquire();
    controller.abort(new Error("changed my mind"));
    await assert.rejects(within(pending, "the lock", 5000), /changed my mind/);
    assert.deepEqual(await nodes("/locks/early"), before);
    const aborted = AbortSignal.abort(new Error("too late"));
    await assert.rejects(
      new Lock(clients[1], "/locks/never", { signal: aborted }).acquire(),
      /too late/,
    );
    assert.equal(await clients[0].exists("/locks/never"), null);
  });

  it("release() while waiting gives up: acquire returns false and the node goes", async () => {
    await using holder = new Lock(clients[0], "/locks/giveup");
    await holder.acquire();
    const waiter = new Lock(clients[1], "/locks/giveup");
    const pending = waiter.acquire();
    assert.equal(waiter.acquire(), pending, "a second call shares the first");
    await eventually(async () => (await nodes("/locks/giveup")).length === 2, "the waiter's node");
    await waiter.release();
    assert.equal(await within(pending, "the lock", 5000), false);
    assert.equal((await nodes("/locks/giveup")).length, 1);
    await waiter.release();
  });

  it("a semaphore admits as many holders as it allows, and the next when one leaves", async () => {
    const options = (name: string) => ({ simultaneous: 2, name });
    const a = new Lock(clients[0], "/locks/sem", options("a"));
    const b = new Lock(clients[1], "/locks/sem", options("b"));
    const watchingC = watching(clients[2]);
    const c = new Lock(watchingC.client, "/locks/sem", options("c"));
    assert.equal(await a.acquire(), true);
    assert.equal(await b.acquire(), true);
    let third: boolean | undefined;
    const pending = c.acquire().then((v) => third = v);
    // The third waits once it has set a watch: it has read the holders and
    // found no room.
    await watchingC.armed;
    assert.equal(third, undefined);
    assert.equal(c.held, false);
    assert.deepEqual(await c.holders(), ["a", "b"]);
    assert.equal(
      await new Lock(clients[3], "/locks/sem", { simultaneous: 2, wait: 0 }).acquire(),
      false,
    );
    await a.release();
    await pending;
    assert.equal(third, true);
    assert.deepEqual(await a.holders(), ["b", "c"]);
    await b.release();
    await c.release();
    assert.deepEqual(await nodes("/locks/sem"), []);
    assert.throws(() => new Lock(clients[0], "/locks/sem", { simultaneous: 0 }), RangeError);
  });

  it("a semaphore lets the next one in when any holder leaves, not only the first", async () => {
    const options = (name: string) => ({ simultaneous: 2, name });
    const a = new Lock(clients[0], "/locks/sem-any", options("a"));
    const b = new Lock(clients[1], "/locks/sem-any", options("b"));
    const third = watching(clients[2]);
    const c = new Lock(third.client, "/locks/sem-any", options("c"));
    assert.equal(await a.acquire(), true);
    assert.equal(await b.acquire(), true);
    const pending = c.acquire();
    await third.armed;
    // The second holder leaves; the first stays.
    await b.release();
    assert.equal(await within(pending, "the third to get the lock", 5000), true);
    assert.deepEqual(await a.holders(), ["a", "c"]);
    await a.release();
    await c.release();
  });

  it("a holder whose client closes lets the next one in and is told once", async () => {
    const mortal = await ZooKeeper.connect(fx.server.connectString);
    const lost: Error[] = [];
    const held = new Lock(mortal, "/locks/mortal", { onLost: (e) => lost.push(e) });
    assert.equal(await held.acquire(), true);
    const next = new Lock(clients[1], "/locks/mortal");
    const pending = next.acquire();
    await eventually(async () => (await nodes("/locks/mortal")).length === 2, "the waiter's node");
    await mortal.close();
    assert.equal(await within(pending, "the lock", 10_000), true);
    assert.equal(lost.length, 1);
    // The server reports the node's deletion before it answers closeSession.
    assert.ok(lost[0] instanceof ZooKeeperError, `${lost[0]}`);
    assert.ok(["NONODE", "CLOSED"].includes(lost[0].code), `${lost[0]}`);
    assert.equal(held.held, false);
    await held.release();
    await next.release();
  });

  it("a holder whose session expires lets the next one in and is told once", async () => {
    const mortal = await ZooKeeper.connect(fx.server.connectString, { sessionTimeout: 4000 });
    const lost: Error[] = [];
    const held = new Lock(mortal, "/locks/expiry", { onLost: (e) => lost.push(e) });
    assert.equal(await held.acquire(), true);
    const next = new Lock(clients[1], "/locks/expiry");
    const pending = next.acquire();
    await eventually(async () => (await nodes("/locks/expiry")).length === 2, "the waiter's node");
    // Closing the session from another connection makes the server end it.
    const thief = await ZooKeeper.connect(fx.server.connectString, {
      session: { sessionId: mortal.sessionId, password: mortal.sessionPassword },
    });
    await thief.close();
    assert.equal(await within(pending, "the lock", 15_000), true);
    await eventually(() => lost.length > 0, "onLost", 15_000);
    assert.equal(lost.length, 1);
    assert.ok(lost[0] instanceof ZooKeeperError && lost[0].code === "SESSIONEXPIRED", `${lost[0]}`);
    assert.equal(held.held, false);
    await next.release();
    await mortal.close();
  });

  it("a holder whose node someone else deletes is told, and can take the lock again", async () => {
    const lost: Error[] = [];
    const lock = new Lock(clients[0], "/locks/stolen", { onLost: (e) => lost.push(e) });
    assert.equal(await lock.acquire(), true);
    const [node] = await nodes("/locks/stolen");
    await clients[1].setData(`/locks/stolen/${node}`, "touched"); // not a loss
    await settle(clients[0]);
    assert.equal(lock.held, true);
    await clients[1].delete(`/locks/stolen/${node}`);
    await eventually(() => lost.length > 0, "onLost");
    assert.ok(lost[0] instanceof ZooKeeperError && lost[0].code === "NONODE");
    assert.equal(lock.held, false);
    assert.equal(await lock.acquire(), true);
    assert.equal((await nodes("/locks/stolen")).length, 1);
    await lock.release();
    await lock.release();
    assert.deepEqual(await nodes("/locks/stolen"), []);
    assert.equal(lost.length, 1);
  });

  it("holders() lists the holders' names, by default host and pid", async () => {
    const lock = new Lock(clients[0], "/locks/names");
    assert.deepEqual(await lock.holders(), []);
    await lock.acquire();
    const waiting = new Lock(clients[1], "/locks/names", { name: "second" });
    const pending = waiting.acquire();
    await eventually(async () => (await nodes("/locks/names")).length === 2, "the waiter's node");
    assert.deepEqual(await waiting.holders(), [`${hostname()}:${process.pid}`]);
    await lock.release();
    await pending;
    assert.deepEqual(await lock.holders(), ["second"]);
    await waiting.release();
  });

  it("await using releases the lock at the end of the block", async () => {
    {
      await using lock = new Lock(clients[0], "/locks/using");
      assert.equal(await lock.acquire(), true);
      assert.equal((await nodes("/locks/using")).length, 1);
    }
    assert.deepEqual(await nodes("/locks/using"), []);
    assert.equal(await new Lock(clients[1], "/locks/using", { wait: 0 }).acquire(), true);
  });

  it("each waiter watches one predecessor: a release wakes exactly one", async () => {
    const path = "/locks/herd";
    const holder = new Lock(clients[0], path);
    await holder.acquire();
    const waiters = [1, 2, 3, 4].map((i) => new Lock(clients[i], path));
    const pending: Promise<boolean>[] = [];
    for (const [k, waiter] of waiters.entries()) {
      pending.push(waiter.acquire());
      await eventually(async () => (await nodes(path)).length === k + 2, `waiter ${k + 1}`);
    }
    const order = await nodes(path);
    const expected = new Map(
      clients.map((zk, i) => [sid(zk), [`${path}/${order[Math.max(0, i - 1)]}`]]),
    );
    // The holder watches its own node for loss; each waiter the one before it.
    await eventually(async () => (await watches(path)).size === 5, "every watch");
    assert.deepEqual(await watches(path), expected);
    const rechecks = [0, 0, 0, 0, 0];
    for (const i of [1, 2, 3, 4]) {
      const zk = clients[i];
      const getChildren = zk.getChildren.bind(zk);
      zk.getChildren = (...args: Parameters<ZooKeeper["getChildren"]>) => {
        rechecks[i]++;
        return getChildren(...args);
      };
    }
    try {
      await holder.release();
      assert.equal(await within(pending[0], "the lock", 5000), true);
      for (const zk of clients) await settle(zk);
      assert.deepEqual(rechecks, [0, 1, 0, 0, 0]);
    } finally {
      for (const zk of clients) Reflect.deleteProperty(zk, "getChildren");
    }
    for (const waiter of waiters.slice().reverse()) await waiter.release();
    assert.deepEqual(await Promise.all(pending), [true, false, false, false]);
    assert.deepEqual(await nodes(path), []);
  });

  it("finds its own node after losing the connection during the create (protected mode)", async () => {
    await using proxy = await startFaultProxy({ host: fx.server.host, port: fx.server.port });
    await using zk = await ZooKeeper.connect(proxy.address, { reconnectDelay: 100 });
    const path = "/locks/protected";
    await clients[0].create(path);
    let creates = 0;
    const create = zk.create.bind(zk);
    zk.create = (...args: Parameters<ZooKeeper["create"]>) => {
      creates++;
      return create(...args);
    };
    proxy.setDelay(300);
    const lock = new Lock(zk, path);
    const pending = lock.acquire();
    // The create reached the server; its reply is still in the proxy.
    await eventually(async () => (await nodes(path)).length === 1, "the node on the server");
    proxy.setDelay(0);
    proxy.cut();
    assert.equal(await within(pending, "the lock", 15_000), true);
    assert.equal(creates, 1);
    const children = await nodes(path);
    assert.equal(children.length, 1);
    const { stat } = await clients[0].getData(`${path}/${children[0]}`);
    assert.equal(stat.ephemeralOwner, zk.sessionId);
    await lock.release();
    assert.deepEqual(await nodes(path), []);
  });

  it("the registry's acquireLock and releaseLock work by path", async () => {
    await using registry = await Registry.connect({ servers: fx.server.connectString });
    const lock = await registry.acquireLock("/locks/registry", { wait: 1000 });
    assert.ok(lock?.held);
    assert.equal(await new Lock(clients[0], "/locks/registry", { wait: 0 }).acquire(), false);
    await registry.releaseLock("/locks/registry");
    const again = new Lock(clients[0], "/locks/registry", { wait: 0 });
    assert.equal(await again.acquire(), true);
    await again.release();
  });
});

describe("bySequence()", () => {
  it("orders lock nodes past the server's 2^31 wrap of the sequence counter", () => {
    const names = [
      "_c_b-lock--2147483647",
      "_c_a-lock-2147483646",
      "_c_c-lock--2147483648",
      "_c_d-lock-2147483647",
    ];
    assert.deepEqual([...names].sort(bySequence), [
      "_c_a-lock-2147483646",
      "_c_d-lock-2147483647",
      "_c_c-lock--2147483648",
      "_c_b-lock--2147483647",
    ]);
    assert.deepEqual(["_c_x-lock-0000000010", "_c_y-lock-0000000009"].sort(bySequence), [
      "_c_y-lock-0000000009",
      "_c_x-lock-0000000010",
    ]);
  });
});
