/**
 * Real ZooKeeper servers for your tests, like Curator's `curator-test`: a
 * standalone {@linkcode TestingServer}, a {@linkcode TestingCluster} of 3 or 5
 * servers whose members (the leader too) can be stopped, killed and
 * restarted, and a fault proxy ({@linkcode startFaultProxy}) that cuts,
 * silences, slows or refuses the connections between a client and a server.
 *
 * Each server is a JVM of its own on a free loopback port, with a temporary
 * data directory, removed on `close()` (or at the end of an `await using`
 * scope) and, whatever happens, when the process exits. It needs Java and
 * ZooKeeper's jars: Debian's and Ubuntu's `apt-get install zookeeper` brings
 * both (the jars in `/usr/share/java`), or pass an unpacked Apache release as
 * `zooKeeperHome` (or in `$ZOOKEEPER_HOME`). Without them, starting a server
 * throws {@linkcode ZooKeeperNotFoundError} or {@linkcode JavaNotFoundError},
 * saying how to install them.
 *
 * For unit tests of timing, {@linkcode FakeClock} is a clock that moves only
 * when the test moves it: pass it as `clock` to `ZooKeeper.connect`,
 * `Registry.connect` or the gateway's `serve`.
 *
 * This entry runs on Deno, Node and Bun (it starts processes with
 * `node:child_process`); it is not for Workers.
 *
 * @example A test against a real server
 * ```ts
 * import { TestingServer } from "@nd/service-registry/testing";
 * import { ZooKeeper } from "@nd/service-registry";
 *
 * Deno.test("the service registers itself", async () => {
 *   await using server = await TestingServer.start();
 *   // The session outlives a restart that takes less than its timeout (the
 *   // JVM's stop and start can take several seconds on a loaded machine).
 *   await using zk = await ZooKeeper.connect(server.connectString, { sessionTimeout: 60_000 });
 *   await zk.create("/services", "");
 *   await server.restart(); // the client reconnects; its session and the data stay
 *   if ((await zk.getChildren("/services")).length !== 0) throw new Error("unexpected children");
 * });
 * ```
 *
 * @module
 */

export { type ServerLaunch, TestingServer, type TestingServerOptions } from "./testing_server.ts";
export { TestingCluster, type TestingClusterOptions } from "./testing_cluster.ts";
export { type FaultProxy, type ProxyMode, startFaultProxy } from "./fault_proxy.ts";
export { FakeClock, type FakeClockOptions } from "./fake_clock.ts";
export { fourLetterWord, freePort } from "./four_letter.ts";
export {
  findInstall,
  type Install,
  type InstallOptions,
  JavaNotFoundError,
  ZooKeeperNotFoundError,
} from "./install.ts";
