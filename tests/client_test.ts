import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import {
  digestACL,
  MultiError,
  OPEN_ACL_UNSAFE,
  Perms,
  READ_ACL_UNSAFE,
  ZooKeeper,
} from "../mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually } from "./helpers/wait.ts";
import { rejectsWith } from "./helpers/rejects_with.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("ZooKeeper operations on a real server", () => {
  const fx = useZooKeeper({ jvmFlags: ["-Dznode.container.checkIntervalMs=100"] });
  let zk: ZooKeeper;
  let other: ZooKeeper;

  before(async () => {
    zk = await fx.connect({ sessionTimeout: 10_000 });
    other = await fx.connect({ sessionTimeout: 10_000 });
  });

  it("connect() establishes a session with a negotiated timeout", () => {
    assert.equal(zk.state.type, "connected");
    assert.ok(zk.sessionId > 0n);
    assert.ok(zk.sessionTimeout > 0 && zk.sessionTimeout <= 10_000);
    assert.equal(zk.sessionPassword.length, 16);
    assert.notEqual(zk.sessionId, other.sessionId);
  });

  it("create() and getData() round-trip strings as UTF-8 and bytes as they are", async () => {
    assert.equal(await zk.create("/text", "héllo wörld"), "/text");
    const { data, stat } = await zk.getData("/text");
    assert.equal(text(data), "héllo wörld");
    assert.equal(stat.dataLength, data.length);
    assert.equal(stat.version, 0);
    assert.equal(typeof stat.czxid, "bigint");
    assert.equal(typeof stat.ctime, "number");
    assert.ok(Math.abs(stat.ctime - Date.now()) < 60_000);

    const bytes = new Uint8Array(256).map((_, i) => i);
    await zk.create("/bytes", bytes);
    assert.deepEqual((await zk.getData("/bytes")).data, bytes);

    const texts = [
      "",
      "plain ascii",
      "x".repeat(64),
      "y".repeat(65),
      `${"a".repeat(63)}é`,
      "🦀 ok",
    ];
    for (const [i, t] of texts.entries()) {
      await zk.create(`/text${i}`, t);
      const read = (await zk.getData(`/text${i}`)).data;
      assert.deepEqual(read, new TextEncoder().encode(t), JSON.stringify(t));
    }

    await zk.create("/empty");
    const empty = await zk.getData("/empty");
    assert.equal(empty.data.length, 0);
    assert.equal(empty.stat.dataLength, 0);
  });

  it("createWithStat() returns the new node's Stat", async () => {
    const { path, stat } = await zk.createWithStat("/with-stat", "x");
    assert.equal(path, "/with-stat");
    assert.equal(stat.dataLength, 1);
    assert.deepEqual(stat, await zk.exists("/with-stat"));
  });

  it("create() makes ephemeral nodes owned by the session", async () => {
    await zk.create("/eph", "", { mode: "ephemeral" });
    const stat = await other.exists("/eph");
    assert.equal(stat?.ephemeralOwner, zk.sessionId);
    assert.deepEqual(await zk.getEphemerals("/eph"), ["/eph"]);
  });

  it("create() appends a 10-digit counter in sequential modes", async () => {
    await zk.create("/seq");
    const a = await zk.create("/seq/n-", "", { mode: "persistentSequential" });
    const b = await zk.create("/seq/n-", "", { mode: "ephemeralSequential" });
    assert.match(a, /^\/seq\/n-\d{10}$/);
    assert.match(b, /^\/seq\/n-\d{10}$/);
    assert.ok(Number(b.slice(-10)) > Number(a.slice(-10)));
    assert.equal((await zk.exists(b))?.ephemeralOwner, zk.sessionId);
    assert.equal((await zk.exists(a))?.ephemeralOwner, 0n);
    // A trailing slash is allowed for sequential nodes: the name is the counter.
    assert.match(
      await zk.create("/seq/", "", { mode: "persistentSequential" }),
      /^\/seq\/\d{10}$/,
    );
  });

  it("create() makes container nodes, which the server removes once their last child goes", async () => {
    await zk.create("/container", "c", { mode: "container" });
    await zk.create("/container/child");
    assert.ok(await zk.exists("/container"));
    await zk.delete("/container/child");
    // The test server checks containers every 100 ms.
    await eventually(async () => (await zk.exists("/container")) === null, "the container to go");
  });

  it("create() makes TTL nodes, which the server removes once their TTL passes unchanged", async () => {
    const ttl = await zk.createWithStat("/ttl", "t", { mode: "persistentWithTTL", ttl: 200 });
    assert.equal(ttl.path, "/ttl");
    assert.ok(await zk.exists("/ttl"));
    const seqTtl = await zk.create("/ttl-", "", { mode: "persistentSequentialWithTTL", ttl: 200 });
    assert.match(seqTtl, /^\/ttl-\d{10}$/);
    await eventually(async () => (await zk.exists("/ttl")) === null, "the TTL node to go");
    await eventually(
      async () => (await zk.exists(seqTtl)) === null,
      "the sequential TTL node to go",
    );
  });

  it("create() fails with NODEEXISTS, NONODE, NOCHILDRENFOREPHEMERALS and INVALIDACL", async () => {
    await zk.create("/exists");
    await rejectsWith(
      zk.create("/exists"),
      "NODEEXISTS",
      /^Cannot create "\/exists": node already exists$/,
    );
    await rejectsWith(zk.create("/no/parent"), "NONODE", /"\/no\/parent"/);
    await zk.create("/eph-parent", "", { mode: "ephemeral" });
    await rejectsWith(
      zk.create("/eph-parent/child"),
      "NOCHILDRENFOREPHEMERALS",
    );
    await rejectsWith(zk.create("/bad-acl", "", { acl: [] }), "INVALIDACL");
  });

  it("create() refuses a TTL mode without a ttl, and a ttl without a TTL mode", async () => {
    await rejectsWith(
      zk.create("/t1", "", { mode: "persistentWithTTL" }),
      "BADARGUMENTS",
    );
    await rejectsWith(zk.create("/t2", "", { ttl: 5 }), "BADARGUMENTS");
    assert.equal(await zk.exists("/t1"), null);
  });

  it("delete() removes a node, honouring the version", async () => {
    await zk.create("/del", "x");
    await rejectsWith(
      zk.delete("/del", { version: 5 }),
      "BADVERSION",
      /^Cannot delete "\/del"/,
    );
    await zk.delete("/del", { version: 0 });
    assert.equal(await zk.exists("/del"), null);
    await rejectsWith(zk.delete("/del"), "NONODE");
    await zk.create("/full");
    await zk.create("/full/child");
    await rejectsWith(zk.delete("/full"), "NOTEMPTY");
  });

  it("exists() returns a Stat or null", async () => {
    assert.equal(await zk.exists("/nothing-here"), null);
    await zk.create("/here", "abc");
    const stat = await zk.exists("/here");
    assert.equal(stat?.dataLength, 3);
  });

  it("setData() bumps the version and checks it", async () => {
    await zk.create("/sd", "1");
    const s1 = await zk.setData("/sd", "2");
    assert.equal(s1.version, 1);
    const s2 = await zk.setData("/sd", "3", { version: 1 });
    assert.equal(s2.version, 2);
    assert.ok(s2.mzxid > s1.mzxid);
    await rejectsWith(zk.setData("/sd", "4", { version: 1 }), "BADVERSION");
    await rejectsWith(zk.setData("/sd-missing", "4"), "NONODE");
    assert.equal(text((await zk.getData("/sd")).data), "3");
  });

  it("getChildren() lists names, and getChildrenWithStat() the parent's Stat", async () => {
    await zk.create("/kids");
    for (const name of ["a", "b", "c"]) await zk.create(`/kids/${name}`);
    assert.deepEqual((await zk.getChildren("/kids")).sort(), ["a", "b", "c"]);
    const { children, stat } = await zk.getChildrenWithStat("/kids");
    assert.equal(children.length, 3);
    assert.equal(stat.numChildren, 3);
    assert.equal(stat.cversion, 3);
    await rejectsWith(zk.getChildren("/no-kids"), "NONODE");
    assert.equal(await zk.getAllChildrenNumber("/kids"), 3);
  });

  it("getACL() and setACL() read and replace ACLs with aversion checks", async () => {
    await zk.create("/acl", "x");
    const { acl, stat } = await zk.getACL("/acl");
    assert.deepEqual(acl, [...OPEN_ACL_UNSAFE]);
    assert.equal(stat.aversion, 0);
    await rejectsWith(zk.setACL("/acl", [...READ_ACL_UNSAFE], { version: 3 }), "BADVERSION");
    const s = await zk.setACL("/acl", [...READ_ACL_UNSAFE], { version: 0 });
    assert.equal(s.aversion, 1);
    assert.deepEqual((await zk.getACL("/acl")).acl, [...READ_ACL_UNSAFE]);
    await rejectsWith(
      zk.setData("/acl", "y"),
      "NOAUTH",
      /^Cannot write "\/acl": not authorized$/,
    );
  });

  it("digest ACLs let only the authenticated user write", async () => {
    const user = await ZooKeeper.connect(fx.server.connectString);
    try {
      await user.addAuth("digest", "alice:secret");
      await user.create("/alice", "mine", {
        acl: [await digestACL("alice", "secret"), {
          perms: Perms.READ,
          id: { scheme: "world", id: "anyone" },
        }],
      });
      await rejectsWith(other.setData("/alice", "theirs"), "NOAUTH");
      assert.equal(text((await other.getData("/alice")).data), "mine");
      await user.setData("/alice", "still mine");
      const who = await user.whoAmI();
      assert.ok(
        who.some((c) => c.authScheme === "digest" && c.user === "alice"),
      );
    } finally {
      await user.close();
    }
  });

  it("sync() completes for an existing path", async () => {
    await zk.create("/synced");
    await zk.sync("/synced");
  });

  it("multi() commits every operation and returns each result", async () => {
    await zk.create("/tx", "v0");
    const results = await zk.multi([
      { op: "create", path: "/tx/a", data: "a" },
      { op: "create", path: "/tx/s-", mode: "persistentSequential" },
      { op: "setData", path: "/tx", data: "v1", version: 0 },
      { op: "check", path: "/tx", version: 1 },
      { op: "delete", path: "/tx/a" },
    ]);
    assert.equal(results.length, 5);
    assert.ok(results[0].op === "create" && results[0].path === "/tx/a");
    assert.ok(
      results[1].op === "create" && /^\/tx\/s-\d{10}$/.test(results[1].path),
    );
    assert.ok(results[2].op === "setData" && results[2].stat.version === 1);
    assert.deepEqual(results[3], { op: "check" });
    assert.deepEqual(results[4], { op: "delete" });
    assert.equal(await zk.exists("/tx/a"), null);
  });

  it("multi() applies nothing when one operation fails and says which", async () => {
    await zk.create("/tx2");
    await assert.rejects(
      zk.multi([
        { op: "create", path: "/tx2/ok" },
        { op: "setData", path: "/tx2", data: "x", version: 7 },
        { op: "create", path: "/tx2/later" },
      ]),
      (error: unknown) => {
        assert.ok(error instanceof MultiError);
        assert.equal(error.code, "BADVERSION");
        assert.equal(error.index, 1);
        assert.equal(error.path, "/tx2");
        assert.deepEqual(error.results.map((r) => r.code), [
          "OK",
          "BADVERSION",
          "RUNTIMEINCONSISTENCY",
        ]);
        assert.match(
          error.message,
          /operation 1 \(setData "\/tx2"\) failed: version does not match/,
        );
        return true;
      },
    );
    assert.equal(await zk.exists("/tx2/ok"), null);
  });

  it("multiRead() gives each read its own result or error", async () => {
    await zk.create("/mr", "data");
    await zk.create("/mr/x");
    const results = await zk.multiRead([
      { op: "getData", path: "/mr" },
      { op: "getChildren", path: "/mr" },
      { op: "getData", path: "/mr-missing" },
    ]);
    assert.ok(results[0].op === "getData" && text(results[0].data) === "data");
    assert.deepEqual(results[1], { op: "getChildren", children: ["x"] });
    assert.ok(results[2].op === "error" && results[2].error.code === "NONODE");
  });

  it("getEphemerals() lists this session's ephemeral nodes under a prefix", async () => {
    await zk.create("/ephs");
    await zk.create("/ephs/one", "", { mode: "ephemeral" });
    await zk.create("/ephs/two", "", { mode: "ephemeral" });
    assert.deepEqual((await zk.getEphemerals("/ephs")).sort(), [
      "/ephs/one",
      "/ephs/two",
    ]);
    assert.deepEqual(await other.getEphemerals("/ephs"), []);
  });
});
