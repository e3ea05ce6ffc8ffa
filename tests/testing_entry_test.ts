import { after, before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { ZooKeeper } from "../mod.ts";
import {
  findInstall,
  fourLetterWord,
  freePort,
  JavaNotFoundError,
  startFaultProxy,
  TestingCluster,
  TestingServer,
  ZooKeeperNotFoundError,
} from "../src/testing/mod.ts";
import { eventually } from "./helpers/wait.ts";

/** Whether a TCP connection to `port` on loopback is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("freePort()", () => {
  it("freePort() gives free ports, never one twice, outside the range the kernel gives out itself", async () => {
    const ports = [];
    for (let i = 0; i < 100; i++) ports.push(await freePort());
    assert.equal(new Set(ports).size, ports.length);
    for (const port of ports) {
      assert.ok(port >= 1024 && port < 32_768, `port ${port}`);
      assert.equal(await accepts(port), false, `port ${port} is taken`);
    }
  });
});

describe("TestingServer", () => {
  it("starts on loopback, serves a client, restarts with its data and is removed at the end", async () => {
    let dataDir: string;
    {
      await using server = await TestingServer.start({ tickTime: 200 });
      dataDir = server.dataDir;
      assert.equal(server.connectString, `127.0.0.1:${server.port}`);
      assert.ok(server.running && server.pid !== undefined);
      assert.equal(await server.fourLetter("ruok"), "imok");
      {
        await using zk = await ZooKeeper.connect(server.connectString);
        await zk.create("/kept", "across restarts");
      }
      const firstPid = server.pid;
      await server.restart();
      assert.ok(server.running);
      assert.notEqual(server.pid, firstPid);
      assert.match(await server.fourLetter("srvr"), /Mode: standalone/);
      // A new session reads it: the first one may have expired while the
      // JVM restarted (at tickTime 200 a session lasts at most 4 s).
      await using zk = await ZooKeeper.connect(server.connectString);
      const { data } = await zk.getData("/kept");
      assert.equal(new TextDecoder().decode(data), "across restarts");
    }
    assert.equal(existsSync(dataDir), false, "the temporary directory is removed");
  });

  it("kill() stops the server at once, start() brings it back on the same port", async () => {
    await using server = await TestingServer.start();
    const port = server.port;
    await server.kill();
    assert.equal(server.running, false);
    assert.equal(server.pid, undefined);
    assert.equal(await accepts(port), false);
    assert.equal(await fourLetterWord(port, "ruok", 500), "");
    await server.start();
    assert.equal(server.port, port);
    assert.equal(await fourLetterWord(port, "ruok"), "imok");
  });

  it("a missing ZooKeeper or Java is a typed error saying how to install it", async () => {
    await assert.rejects(TestingServer.start({ zooKeeperHome: "/nonexistent/zookeeper" }), (e) => {
      assert.ok(e instanceof ZooKeeperNotFoundError);
      assert.equal(e.name, "ZooKeeperNotFoundError");
      assert.equal(e.searched, "/nonexistent/zookeeper");
      assert.match(e.message, /no ZooKeeper jar in "\/nonexistent\/zookeeper"/);
      assert.match(e.message, /apt-get install zookeeper/);
      assert.match(e.message, /zooKeeperHome/);
      return true;
    });
    await assert.rejects(TestingCluster.start({ classpath: ["/nonexistent/zk.jar"] }), (e) => {
      assert.ok(e instanceof ZooKeeperNotFoundError);
      assert.match(e.message, /no jar at "\/nonexistent\/zk\.jar"/);
      return true;
    });
    await assert.rejects(TestingServer.start({ java: "/nonexistent/bin/java" }), (e) => {
      assert.ok(e instanceof JavaNotFoundError);
      assert.equal(e.name, "JavaNotFoundError");
      assert.equal(e.java, "/nonexistent/bin/java");
      assert.match(e.message, /no Java runtime/);
      return true;
    });
    const found = findInstall();
    assert.match(found.classpath, /zookeeper[^:]*\.jar/);
    assert.ok(existsSync(found.java));
  });
});

describe("TestingCluster", () => {
  let cluster: TestingCluster;

  before(async () => {
    cluster = await TestingCluster.start({ size: 3 });
  });

  after(async () => {
    await cluster?.close();
  });

  it("finds the leader, elects another when it is killed, and takes it back as a follower", async () => {
    assert.equal(cluster.servers.length, 3);
    assert.equal(cluster.connectString, cluster.servers.map((s) => s.connectString).join(","));
    const modes = await Promise.all(cluster.servers.map((s) => s.fourLetter("srvr")));
    assert.equal(modes.filter((m) => /Mode: leader/.test(m)).length, 1);
    assert.equal(modes.filter((m) => /Mode: follower/.test(m)).length, 2);
    const leader = await cluster.leader();
    assert.ok(leader !== undefined);
    assert.match(await leader.fourLetter("srvr"), /Mode: leader/);

    await using zk = await ZooKeeper.connect(cluster.connectString);
    await zk.create("/survives", "");
    await leader.kill();
    const next = await cluster.waitForLeader();
    assert.notEqual(next, leader);
    assert.notEqual(await zk.exists("/survives"), null);

    await leader.start();
    assert.match(await leader.fourLetter("srvr"), /Mode: follower/);
    assert.equal(await cluster.leader(), next);
  });
});

describe("startFaultProxy", () => {
  let server: TestingServer;

  before(async () => {
    server = await TestingServer.start();
  });

  after(async () => {
    await server?.close();
  });

  it("passes traffic, and delays it by setDelay()", async () => {
    await using proxy = await startFaultProxy(server);
    assert.equal(proxy.address, `127.0.0.1:${proxy.port}`);
    assert.equal(await fourLetterWord(proxy.port, "ruok"), "imok");
    proxy.setDelay(400);
    // Real time, as a lower bound: the proxy delays real sockets on the real clock.
    const started = Date.now();
    assert.equal(await fourLetterWord(proxy.port, "ruok"), "imok");
    assert.ok(Date.now() - started >= 750, "400 ms each way");
    assert.equal(proxy.accepted, 2);
  });

  it("blackhole forwards nothing, drop closes new connections, pass resumes", async () => {
    await using proxy = await startFaultProxy(server);
    proxy.setMode("blackhole");
    // A window: silence has no event (a closed connection would end it early).
    assert.equal(await fourLetterWord(proxy.port, "ruok", 500), "");
    proxy.setMode("drop");
    assert.equal(await fourLetterWord(proxy.port, "ruok", 500), "");
    proxy.setMode("pass");
    assert.equal(await fourLetterWord(proxy.port, "ruok"), "imok");
    assert.equal(proxy.accepted, 3);
  });

  it("cut() closes open connections and the client reconnects through the proxy", async () => {
    await using proxy = await startFaultProxy(server);
    await using zk = await ZooKeeper.connect(proxy.address);
    await zk.create("/through-proxy", "");
    assert.equal(proxy.connections, 1);
    const sessionId = zk.sessionId;
    const states: string[] = [];
    zk.onStateChange((state) => states.push(state.type));
    proxy.cut();
    await eventually(() => states.includes("reconnected"), "the client to reconnect");
    assert.equal(states[0], "disconnected");
    assert.equal(zk.sessionId, sessionId);
    assert.equal(proxy.accepted, 2);
    assert.notEqual(await zk.exists("/through-proxy"), null);
  });

  it("refuse(true) stops listening and refuse(false) listens again on the same port, each done when it resolves", async () => {
    await using proxy = await startFaultProxy(server);
    await proxy.refuse(true);
    assert.equal(await accepts(proxy.port), false, "refused once refuse(true) resolved");
    await proxy.refuse(false);
    assert.equal(await accepts(proxy.port), true, "accepted once refuse(false) resolved");
    assert.equal(await fourLetterWord(proxy.port, "ruok"), "imok");
  });
});
