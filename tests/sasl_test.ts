import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import {
  type ConnectionState,
  Perms,
  Registry,
  saslACL,
  ZooKeeper,
  ZooKeeperError,
} from "../mod.ts";
import { type FaultProxy, startFaultProxy } from "./helpers/fault_proxy.ts";
import type { ZkServer } from "./helpers/zk_server.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually } from "./helpers/wait.ts";

const bob = { mechanism: "DIGEST-MD5", username: "bob", password: "bob's secret" } as const;

describe("SASL DIGEST-MD5 against a server with a JAAS DigestLoginModule", () => {
  const fx = useZooKeeper({ saslUsers: { bob: bob.password, carol: "carol-pw" } });
  let server: ZkServer;
  let proxy: FaultProxy;

  before(async () => {
    server = fx.server;
    proxy = await startFaultProxy({ host: server.host, port: server.port });
    fx.defer(() => proxy.close());
  });

  it("a client with the right password logs in and whoAmI() names it as a sasl identity", async () => {
    await using zk = await ZooKeeper.connect(server.connectString, { sasl: bob });
    assert.equal(zk.state.type, "connected");
    const who = await zk.whoAmI();
    assert.ok(
      who.some((c) => c.authScheme === "sasl" && c.user === "bob"),
      JSON.stringify(who),
    );
  });

  it("a wrong password makes connect() reject with AUTHFAILED", async () => {
    const states: ConnectionState["type"][] = [];
    await assert.rejects(
      ZooKeeper.connect(server.connectString, {
        sasl: { ...bob, password: "wrong" },
        connectTimeout: 10_000,
        watcher: (e) => states.push(e.state === "AuthFailed" ? "authFailed" : "connecting"),
      }),
      (error: unknown) => ZooKeeperError.is(error, "AUTHFAILED"),
    );
    await eventually(() => states.includes("authFailed"), "an AuthFailed session event");
  });

  it("an unknown user is refused too", async () => {
    const connecting = ZooKeeper.connect(server.connectString, {
      sasl: { mechanism: "DIGEST-MD5", username: "mallory", password: "x" },
    });
    await assert.rejects(connecting, (e: unknown) => ZooKeeperError.is(e, "AUTHFAILED"));
  });

  it("a mechanism other than DIGEST-MD5 is refused before connecting", async () => {
    await assert.rejects(
      ZooKeeper.connect(server.connectString, {
        // @ts-expect-error: GSSAPI is not supported
        sasl: { mechanism: "GSSAPI", username: "bob", password: "x" },
      }),
      (e: unknown) => ZooKeeperError.is(e, "BADARGUMENTS") && /GSSAPI/.test(e.message),
    );
  });

  it("a sasl ACL lets only that user in", async () => {
    await using owner = await ZooKeeper.connect(server.connectString, { sasl: bob });
    await using other = await ZooKeeper.connect(server.connectString, {
      sasl: { mechanism: "DIGEST-MD5", username: "carol", password: "carol-pw" },
    });
    await using anonymous = await ZooKeeper.connect(server.connectString);
    await owner.create("/bobs", "mine", {
      acl: [saslACL("bob"), { perms: Perms.READ, id: { scheme: "world", id: "anyone" } }],
    });
    const { acl } = await anonymous.getACL("/bobs");
    assert.deepEqual(acl[0], { perms: Perms.ALL, id: { scheme: "sasl", id: "bob" } });
    await assert.rejects(other.setData("/bobs", "carol's"), (e) => ZooKeeperError.is(e, "NOAUTH"));
    await assert.rejects(
      anonymous.setACL("/bobs", [{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }]),
      (e) => ZooKeeperError.is(e, "NOAUTH"),
    );
    await owner.setData("/bobs", "still mine");
    assert.equal(new TextDecoder().decode((await anonymous.getData("/bobs")).data), "still mine");
  });

  it("every new connection logs in again: after a cut, the sasl ACL still lets the user in", async () => {
    proxy.setMode("pass");
    await using zk = await ZooKeeper.connect(proxy.address, {
      sasl: bob,
      reconnectDelay: 50,
      sessionTimeout: 6000,
    });
    await zk.create("/bobs-too", "", { acl: [saslACL("bob")] });
    const sessionId = zk.sessionId;
    const accepted = proxy.accepted;
    const states: string[] = [];
    zk.onStateChange((s) => states.push(s.type));
    // Queued while disconnected, it waits for the login of the next
    // connection: sent before it, the sasl ACL would refuse it (NOAUTH).
    const queued = new Promise<Promise<unknown>>((resolve) => {
      const off = zk.onStateChange((s) => {
        if (s.type !== "disconnected") return;
        off();
        resolve(zk.setData("/bobs-too", "after the cut"));
      });
    });
    proxy.cut();
    await await queued;
    assert.ok(proxy.accepted > accepted, "a new connection was made");
    assert.equal(zk.sessionId, sessionId);
    assert.deepEqual(states.filter((s) => s !== "disconnected"), ["reconnected"]);
    const who = await zk.whoAmI();
    assert.ok(who.some((c) => c.authScheme === "sasl" && c.user === "bob"));
  });

  it("a Registry with sasl options registers nodes under a sasl ACL", async () => {
    await using registry = await Registry.connect({
      servers: server.connectString,
      sasl: bob,
      acl: [saslACL("bob")],
    });
    await registry.setNode("/services/sasl/one", { port: 1 });
    const who = await registry.client!.whoAmI();
    assert.ok(who.some((c) => c.authScheme === "sasl" && c.user === "bob"));
    await using anonymous = await ZooKeeper.connect(server.connectString);
    await assert.rejects(
      anonymous.getData("/services/sasl/one"),
      (e: unknown) => ZooKeeperError.is(e, "NOAUTH"),
    );
  });
});
