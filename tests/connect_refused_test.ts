import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { Registry, ZooKeeper, ZooKeeperError } from "../mod.ts";
import { freePort } from "../src/testing/mod.ts";
import type { ZkServer } from "./helpers/zk_server.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually } from "./helpers/wait.ts";

// Long enough that a test which waited it out would fail its own deadline.
const PATIENT = 20_000;

describe("connecting where nothing listens", () => {
  const fx = useZooKeeper();
  let server: ZkServer;
  let closed: string;

  before(async () => {
    server = fx.server;
    closed = `127.0.0.1:${await freePort()}`;
  });

  it("ZooKeeper.connect() rejects after one round of refusals, not after connectTimeout", async () => {
    await assert.rejects(
      ZooKeeper.connect(`${closed},${closed.replace("127.0.0.1", "localhost")}`, {
        connectTimeout: PATIENT,
      }),
      (e: unknown) =>
        e instanceof ZooKeeperError && e.code === "CONNECTIONLOSS" &&
        e.message.includes("connection refused by every server"),
    );
  });

  it("a refused host among live ones is skipped: the connection is made", async () => {
    const zk = await ZooKeeper.connect(`${closed},${server.connectString}`, {
      connectTimeout: PATIENT,
      keepHostOrder: true,
    });
    assert.equal(zk.state.type, "connected");
    await zk.close();
  });

  it("Registry.connect() says the servers refused, and a lazy registry keeps trying", async () => {
    await assert.rejects(
      Registry.connect({ servers: closed, connectTimeout: PATIENT, onError: () => {} }),
      (e: unknown) =>
        e instanceof ZooKeeperError && e.code === "CONNECTIONLOSS" &&
        e.message.startsWith(`Cannot connect to ZooKeeper at "${closed}": `) &&
        e.message.includes("connection refused by every server"),
    );
    const errors: unknown[] = [];
    const lazy = await Registry.connect({
      servers: closed,
      lazy: true,
      onError: (e) => errors.push(e),
    });
    // The background loop reports each failed attempt and tries again.
    await eventually(() => errors.length >= 2, "two failed attempts of the background loop");
    assert.ok(errors.every((e) => String(e).includes("connection refused")), String(errors[0]));
    await lazy.close();
  });
});
