import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { ZooKeeper, ZooKeeperError } from "../mod.ts";
import type { WatchedEvent } from "../src/client/watch_registry.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { FakeTransport, flush } from "./helpers/fake_transport.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { settle } from "./helpers/wait.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

const fixture = useZooKeeper();

async function serverWatches(): Promise<string> {
  return await fixture.server.fourLetter("wchc");
}

describe("ZooKeeper requests and the server's limits", () => {
  it("refuses a request over jute.maxbuffer with BADARGUMENTS and keeps the connection", async () => {
    await using root = await fixture.chroot();
    const zk = await root.connect();
    await zk.create("/big");
    const lost: string[] = [];
    zk.onStateChange((s) => lost.push(s.type));
    // Data under maxDataSize, but the whole request is over 0xfffff bytes.
    const data = new Uint8Array(0xfffff - 8);
    await assert.rejects(
      zk.setData("/big", data),
      (e: unknown) => ZooKeeperError.is(e, "BADARGUMENTS"),
    );
    assert.deepEqual(lost, []);
    assert.equal((await zk.exists("/big"))?.dataLength, 0);
  });
});

describe("ZooKeeper.connect()", () => {
  it("rejects with AUTHFAILED when the server refuses the credentials", async () => {
    await assert.rejects(
      ZooKeeper.connect(fixture.server.connectString, {
        auth: [{ scheme: "nosuchscheme", auth: "x" }],
      }),
      (e: unknown) => ZooKeeperError.is(e, "AUTHFAILED"),
    );
  });

  it("refuses credentials that are not a string scheme with string or byte credentials, before any connection", async () => {
    const bad: unknown[] = [{ scheme: "digest", auth: 42 }, { scheme: 42, auth: "x" }];
    for (const credentials of bad) {
      const transport = new FakeTransport();
      const clock = new FakeClock();
      const auth = [credentials as { scheme: string; auth: string }];
      await assert.rejects(
        ZooKeeper.connect("127.0.0.1:2181", { transport, clock, auth }),
        (e: unknown) => ZooKeeperError.is(e, "BADARGUMENTS"),
      );
      await flush();
      assert.equal(transport.sockets.length, 0, `no connection for ${JSON.stringify(credentials)}`);
      assert.equal(clock.pending, 0, "no timer left running");
    }
  });
});

describe("ZooKeeper.connect() options from plain JavaScript", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["a session id as a string", {
      session: { sessionId: "72057594037927936", password: new Uint8Array(16) },
    }],
    ["a session id as a number", {
      session: { sessionId: 72057594037927936, password: new Uint8Array(16) },
    }],
    ["a session id past a long", {
      session: { sessionId: 2n ** 64n, password: new Uint8Array(16) },
    }],
    ["a password as a string", { session: { sessionId: 1n, password: "secret" } }],
    ["the controller for its signal", { signal: new AbortController() }],
  ];
  for (const [what, options] of cases) {
    it(`refuses ${what} with BADARGUMENTS before any connection`, async () => {
      const transport = new FakeTransport();
      const clock = new FakeClock();
      await assert.rejects(
        ZooKeeper.connect("127.0.0.1:2181", { transport, clock, ...options } as Any),
        (e: unknown) => ZooKeeperError.is(e, "BADARGUMENTS"),
      );
      await flush();
      assert.equal(transport.sockets.length, 0);
      assert.equal(clock.pending, 0, "no timer left running");
    });
  }

  it("states() refuses a signal that is not one, and subscribes to nothing", async () => {
    const zk = await ZooKeeper.connect(fixture.server.connectString);
    try {
      assert.throws(
        () => zk.states({ signal: new AbortController() as Any }),
        (e: unknown) => ZooKeeperError.is(e, "BADARGUMENTS"),
      );
      assert.throws(
        () => zk.states(5 as Any),
        (e: unknown) => ZooKeeperError.is(e, "BADARGUMENTS"),
      );
    } finally {
      await zk.close();
    }
  });
});

describe("ZooKeeper.addAuth()", () => {
  it("refuses credentials over jute.maxbuffer and keeps the connection", async () => {
    await using root = await fixture.chroot();
    const zk = await root.connect();
    const states: string[] = [];
    zk.onStateChange((s) => states.push(s.type));
    await assert.rejects(
      zk.addAuth("digest", `u:${"x".repeat(0x100000)}`),
      (e: unknown) => ZooKeeperError.is(e, "BADARGUMENTS"),
    );
    await zk.create("/after", "ok");
    assert.equal(new TextDecoder().decode((await zk.getData("/after")).data), "ok");
    assert.deepEqual(states, []);
  });
});

describe("ZooKeeper.create() under a chroot", () => {
  it('a sequential create of "/" makes a child of the chroot, as kazoo does', async () => {
    await using root = await fixture.chroot();
    const zk = await root.connect();
    const created = await zk.create("/", "", { mode: "persistentSequential" });
    assert.match(created, /^\/\d{10}$/);
    assert.deepEqual(await zk.getChildren("/"), [created.slice(1)]);
    assert.equal((await zk.exists(created))?.dataLength, 0);
  });
});

describe("ZooKeeper.removeWatches()", () => {
  it("refuses a watcher that is not a function, and removes nothing", async () => {
    await using root = await fixture.chroot();
    const zk = await root.connect();
    await zk.create("/w");
    const events: string[] = [];
    await zk.getData("/w", { watch: (e) => events.push(e.type) });
    for (const watcher of [undefined, null, "w", 1]) {
      await assert.rejects(
        zk.removeWatches("/w", watcher as Any),
        (e: unknown) => ZooKeeperError.is(e, "BADARGUMENTS") && /watcher must be/.test(e.message),
      );
    }
    await zk.setData("/w", "x");
    await settle(zk);
    assert.deepEqual(events, ["NodeDataChanged"]);
  });

  it("with local: true, still removes the watch on the server when it can", async () => {
    await using root = await fixture.chroot();
    const zk = await root.connect();
    await zk.create("/r");
    const watcher = () => {};
    await zk.addWatch("/r", "persistentRecursive", watcher);
    assert.match(await serverWatches(), new RegExp(`${root.path}/r`));
    await zk.removeWatches("/r", watcher, "persistentRecursive", { local: true });
    assert.doesNotMatch(await serverWatches(), new RegExp(`${root.path}/r`));
  });

  for (const type of ["data", "children"] as const) {
    it(`of a one-shot ${type} watch keeps the session's persistent watch on the path`, async () => {
      await using root = await fixture.chroot();
      const zk = await root.connect();
      await zk.create("/p");
      const oneShot = () => {};
      if (type === "data") await zk.getData("/p", { watch: oneShot });
      else await zk.getChildren("/p", { watch: oneShot });
      const events: WatchedEvent[] = [];
      await zk.addWatch("/p", "persistent", (e) => events.push(e));
      await zk.removeWatches("/p", oneShot, type);
      await zk.setData("/p", "x");
      await zk.create("/p/c");
      await settle(zk);
      assert.deepEqual(events.map((e) => e.type), ["NodeDataChanged", "NodeChildrenChanged"]);
    });
  }
});
