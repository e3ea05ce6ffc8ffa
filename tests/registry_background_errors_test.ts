/**
 * What the registry does in the background (following paths, holding locks)
 * reports its failures to `onError`, with their cause, when nobody else
 * hears of them.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { digestACL, type NodeSnapshot, Registry, ZooKeeperError } from "../mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually } from "./helpers/wait.ts";

describe("Registry background errors", () => {
  const fx = useZooKeeper();

  it("a followed path whose first read is refused is reported to onError, and a lookup leaves the follower in place", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    await admin.create("/secret", "1", { acl: [await digestACL("owner", "pw")] });
    const errors: unknown[] = [];
    await using registry = await Registry.connect({
      servers: root.connectString,
      onError: (error) => errors.push(error),
    });
    const seen: NodeSnapshot[] = [];
    registry.onChange("/secret", (snapshot) => seen.push(snapshot));
    await eventually(() => errors.length > 0, "the refused read reported");
    assert.ok(ZooKeeperError.is(errors[0], "NOAUTH"), String(errors[0]));
    assert.equal((errors[0] as ZooKeeperError).path, "/secret");
    await assert.rejects(registry.get("/secret"), (e: unknown) => ZooKeeperError.is(e, "NOAUTH"));
    // Readable at last: the follower's retry reads it and reports it.
    await admin.addAuth("digest", "owner:pw");
    await admin.setACL("/secret", [{ perms: 31, id: { scheme: "world", id: "anyone" } }]);
    await eventually(() => seen.at(-1)?.data === 1, "the node read by the retry", 10_000);
    assert.equal(seen.at(-1)?.stale, false);
  });

  it("a registry lock lost without onLost is reported to onError with its cause", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    const errors: unknown[] = [];
    await using registry = await Registry.connect({
      servers: root.connectString,
      onError: (error) => errors.push(error),
    });
    const lock = await registry.acquireLock("/lock");
    assert.ok(lock !== undefined);
    const [node] = await admin.getChildren("/lock");
    await admin.delete(`/lock/${node}`);
    await eventually(() => errors.length > 0, "the lost lock reported");
    assert.ok(ZooKeeperError.is(errors[0], "NONODE"), String(errors[0]));
    assert.match(String(errors[0]), /Lost the lock "\/lock"/);
  });
});
