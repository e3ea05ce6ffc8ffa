/**
 * A real ZooKeeper ensemble for tests: 3 or 5 servers on loopback, any of them
 * stopped, killed or restarted to see what a client does when its server or
 * the leader goes away.
 *
 * @module
 */

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sleep } from "../util/sleep.ts";
import { freePort, LOOPBACK } from "./four_letter.ts";
import { findInstall } from "./install.ts";
import {
  configOf,
  jvmFlagsOf,
  tempDir,
  TestingServer,
  type TestingServerOptions,
} from "./testing_server.ts";

/** Settings of a cluster: its size, and the settings of every member. */
export interface TestingClusterOptions extends Omit<TestingServerOptions, "port"> {
  /** How many servers: 3 tolerates one failure, 5 two. @default {3} */
  size?: number;
}

/**
 * A ZooKeeper ensemble on loopback, each member a {@linkcode TestingServer}.
 *
 * @example Kill the leader, see the ensemble elect another
 * ```ts ignore
 * import { TestingCluster } from "@nd/service-registry/testing";
 * import { ZooKeeper } from "@nd/service-registry";
 *
 * await using cluster = await TestingCluster.start({ size: 3 });
 * await using zk = await ZooKeeper.connect(cluster.connectString);
 * const leader = await cluster.waitForLeader();
 * await leader.kill();
 * const next = await cluster.waitForLeader();
 * console.log(`${leader.port} gave way to ${next.port}`);
 * await leader.start(); // rejoins as a follower
 * ```
 */
export class TestingCluster implements AsyncDisposable {
  /** Its members, in the order of their ids (`myid` 1, 2, ...). */
  readonly servers: readonly TestingServer[];

  /**
   * A cluster of members not started yet: use {@linkcode TestingCluster.start}.
   *
   * @param servers Its members.
   */
  constructor(servers: readonly TestingServer[]) {
    this.servers = servers;
  }

  /**
   * Starts an ensemble on loopback and waits until every member has joined
   * it (as leader or follower).
   *
   * @example A 5-server ensemble
   * ```ts ignore
   * import { TestingCluster } from "@nd/service-registry/testing";
   * const cluster = await TestingCluster.start({ size: 5 });
   * await Promise.all(cluster.servers.slice(0, 2).map((s) => s.stop())); // still a quorum
   * await cluster.close();
   * ```
   *
   * @param options The size and the settings of every member.
   * @returns The ensemble, serving.
   * @throws {ZooKeeperNotFoundError} When ZooKeeper's jars are not found.
   * @throws {JavaNotFoundError} When no Java runtime is found.
   * @throws {RangeError} When the size is not a positive integer.
   */
  static async start(options: TestingClusterOptions = {}): Promise<TestingCluster> {
    const size = options.size ?? 3;
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`Invalid cluster size ${size}: must be a positive integer`);
    }
    const install = findInstall(options);
    const ports: [client: number, quorum: number, election: number][] = [];
    for (let i = 0; i < size; i++) {
      ports.push([await freePort(), await freePort(), await freePort()]);
    }
    const members = ports.map(([client, quorum, election], i) =>
      `server.${i + 1}=${LOOPBACK}:${quorum}:${election};${LOOPBACK}:${client}`
    );
    const servers: TestingServer[] = [];
    for (let i = 0; i < size; i++) {
      const dir = await tempDir(`zk-ens${i + 1}-`);
      await mkdir(join(dir, "data"));
      await writeFile(join(dir, "data", "myid"), `${i + 1}\n`);
      const lines = [
        ...configOf(options, join(dir, "data"), ports[i][0]),
        "standaloneEnabled=false",
        // A read-only server creates only local sessions; without them it
        // refuses every new session with NOTREADONLY.
        ...(options.readOnlyMode
          ? ["localSessionsEnabled=true", "localSessionsUpgradingEnabled=true"]
          : []),
        ...members,
      ];
      await writeFile(join(dir, "zoo.cfg"), lines.join("\n") + "\n");
      servers.push(
        new TestingServer({
          install,
          port: ports[i][0],
          dir,
          flags: jvmFlagsOf(options),
          standalone: false,
        }),
      );
    }
    const cluster = new TestingCluster(servers);
    for (const server of servers) server.launch();
    try {
      await Promise.all(servers.map((s) => s.waitServing(/leader|follower/, 60_000)));
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  /** Every member's `host:port`, comma separated: what a client connects to. */
  get connectString(): string {
    return this.servers.map((s) => s.connectString).join(",");
  }

  /**
   * The member that leads now, asked with `srvr`.
   *
   * @returns The leader, `undefined` while there is none (an election, no quorum).
   */
  async leader(): Promise<TestingServer | undefined> {
    for (const server of this.servers) {
      if (server.running && /Mode: leader/.test(await server.fourLetter("srvr"))) return server;
    }
    return undefined;
  }

  /**
   * Waits until a member leads, such as after the leader was killed.
   *
   * @param ms How long to wait.
   * @returns The leader.
   * @throws {Error} When no member leads within `ms`.
   */
  async waitForLeader(ms = 30_000): Promise<TestingServer> {
    const deadline = Date.now() + ms;
    for (;;) {
      const leader = await this.leader();
      if (leader !== undefined) return leader;
      if (Date.now() > deadline) throw new Error(`No ZooKeeper leader elected in ${ms} ms`);
      await sleep(100);
    }
  }

  /** Stops every member and removes their temporary directories. */
  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.close()));
  }

  /** Same as {@linkcode TestingCluster.close}. */
  stop(): Promise<void> {
    return this.close();
  }

  /** Same as {@linkcode TestingCluster.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
