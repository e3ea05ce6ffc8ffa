/**
 * getConfig's watch on `/zookeeper/config` (outside any chroot) and a user's
 * own `/zookeeper/config` under a chroot are two watches on two nodes.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import type { WatchedEvent } from "../mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually } from "./helpers/wait.ts";

describe("config watch", () => {
  const fx = useZooKeeper();

  it("a user's /zookeeper/config under a chroot and getConfig's watch do not fire each other", async () => {
    await using root = await fx.chroot();
    const zk = await root.connect();
    const admin = await root.connect();
    await admin.create("/zookeeper");
    await admin.create("/zookeeper/config", "mine");
    const user: WatchedEvent[] = [];
    const config: WatchedEvent[] = [];
    await zk.getData("/zookeeper/config", { watch: (e) => user.push(e) });
    await zk.getConfig({ watch: (e) => config.push(e) });
    await admin.setData("/zookeeper/config", "changed");
    await eventually(() => user.length === 1, "the user's watch");
    await zk.sync("/");
    assert.deepEqual(config, []);
    assert.equal(user[0].path, "/zookeeper/config");
    // Set again, the user's watch fires again, and the config watch still not.
    await zk.getData("/zookeeper/config", { watch: (e) => user.push(e) });
    await admin.setData("/zookeeper/config", "again");
    await eventually(() => user.length === 2, "the user's second watch");
    await zk.sync("/");
    assert.deepEqual(config, []);
  });
});
