import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { ZooKeeper } from "../mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { settle } from "./helpers/wait.ts";
import { rejectsWith } from "./helpers/rejects_with.ts";

describe("ZooKeeper on a real server: refusals before sending, pipelining, chroot, close", () => {
  const fx = useZooKeeper();
  let zk: ZooKeeper;

  before(async () => {
    zk = await fx.connect({ sessionTimeout: 10_000 });
  });

  it("invalid paths are refused before anything is sent", async () => {
    for (
      const bad of [
        "",
        "relative",
        "/trailing/",
        "/a//b",
        "/a/./b",
        "/a/../b",
        "/nul\u0000",
      ]
    ) {
      await rejectsWith(zk.getData(bad), "BADARGUMENTS", /^Invalid path/);
      await rejectsWith(zk.create(bad), "BADARGUMENTS");
    }
    await rejectsWith(
      zk.multi([{ op: "delete", path: "/ok" }, { op: "delete", path: "bad" }]),
      "BADARGUMENTS",
    );
    // The session is untouched.
    assert.ok(await zk.exists("/"));
  });

  it("data over the size limit is refused before anything is sent", async () => {
    const big = new Uint8Array(1024 * 1024 + 1);
    await rejectsWith(
      zk.create("/big", big),
      "BADARGUMENTS",
      /exceeds the limit/,
    );
    await zk.create("/big-ok");
    await rejectsWith(zk.setData("/big-ok", big), "BADARGUMENTS");
    assert.equal(zk.state.type, "connected");
    // Data just under the server's jute.maxbuffer goes through.
    const large = new Uint8Array(1000 * 1024).fill(7);
    await zk.setData("/big-ok", large);
    assert.equal((await zk.getData("/big-ok")).data.length, large.length);
    // Text is measured by its UTF-8 (two bytes a character here), whether or
    // not three bytes a character would pass the limit.
    const utf8 = new TextEncoder();
    for (const text of ["é".repeat(300 * 1024), "é".repeat(400 * 1024)]) {
      await zk.setData("/big-ok", text);
      assert.deepEqual((await zk.getData("/big-ok")).data, utf8.encode(text));
      await zk.create("/big-text", text);
      assert.deepEqual((await zk.getData("/big-text")).data, utf8.encode(text));
      await zk.delete("/big-text");
    }
    await rejectsWith(
      zk.setData("/big-ok", "é".repeat(512 * 1024 + 1)),
      "BADARGUMENTS",
      /data of 1048578 bytes exceeds the limit/,
    );
    await rejectsWith(
      zk.create("/big-text", "x".repeat(1024 * 1024 + 1)),
      "BADARGUMENTS",
      /data of 1048577 bytes exceeds the limit/,
    );
  });

  it("pipelined requests all resolve, in the order they were made", async () => {
    await zk.create("/pipe", "p");
    const order: number[] = [];
    await Promise.all(
      Array.from(
        { length: 2000 },
        (_, i) => zk.exists("/pipe").then(() => order.push(i)),
      ),
    );
    assert.equal(order.length, 2000);
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
  });

  it("a chroot is added to every path sent and removed from every path received", async () => {
    await using root = await fx.chroot();
    const jailed = await root.connect();
    assert.equal(await jailed.create("/inside", "x"), "/inside");
    assert.ok(await zk.exists(`${root.path}/inside`));
    assert.match(
      await jailed.create("/s-", "", { mode: "ephemeralSequential" }),
      /^\/s-\d{10}$/,
    );
    assert.deepEqual(
      (await jailed.getEphemerals()).map((p) => p.slice(0, 3)),
      ["/s-"],
    );
    const results = await jailed.multi([{ op: "create", path: "/m" }]);
    assert.ok(results[0].op === "create" && results[0].path === "/m");
    const names = (await jailed.getChildren("/")).sort();
    assert.deepEqual(names.filter((n) => !n.startsWith("s-")), [
      "inside",
      "m",
    ]);
    const events: string[] = [];
    await jailed.getData("/inside", {
      watch: (e) => events.push(`${e.type} ${e.path}`),
    });
    await zk.setData(`${root.path}/inside`, "y");
    await settle(jailed);
    assert.deepEqual(events, ["NodeDataChanged /inside"]);
  });

  it("close() ends the session: its ephemeral nodes go and later calls reject with CLOSED", async () => {
    const short = await ZooKeeper.connect(fx.server.connectString);
    await short.create("/short-lived", "", { mode: "ephemeral" });
    await short.close();
    assert.equal(short.state.type, "closed");
    assert.equal(await zk.exists("/short-lived"), null);
    await rejectsWith(short.getData("/"), "CLOSED", /client is closed/);
    await short.close();
  });

  it("await using closes the client at the end of the block", async () => {
    let kept: ZooKeeper;
    {
      await using scoped = await ZooKeeper.connect(fx.server.connectString);
      kept = scoped;
      await scoped.create("/scoped", "", { mode: "ephemeral" });
    }
    assert.equal(kept.state.type, "closed");
    assert.equal(await zk.exists("/scoped"), null);
  });

  it("connect() fails with CONNECTIONLOSS when nothing listens", async () => {
    const port = fx.server.port === 1 ? 2 : 1;
    await rejectsWith(
      ZooKeeper.connect(`127.0.0.1:${port}`, { connectTimeout: 1500 }),
      "CONNECTIONLOSS",
      /connection refused by every server/,
    );
  });
});
