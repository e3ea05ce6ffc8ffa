/**
 * A real ZooKeeper ensemble for tests: 3 or 5 servers on loopback, any of them
 * stopped, killed or restarted to see what a client does when its server or
 * the leader goes away.
 *
 * @module
 */

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { systemClock } from "../util/clock.ts";
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
  size?: number | undefined;
  /**
   * Dynamic reconfiguration: `reconfigEnabled=true` and the membership in a
   * dynamic config file (`zoo.cfg.dynamic`), so that clients may call
   * `reconfig` and {@linkcode TestingCluster.addServer} may grow the
   * ensemble. `reconfig` also needs the super user or `skipACL`: pass
   * `config: { skipACL: "yes" }` for the simplest setup.
   *
   * @default {false}
   */
  reconfig?: boolean | undefined;
  /**
   * Two quorum addresses per member (`zookeeper.multiAddress.enabled`,
   * ZooKeeper 3.6+): `server.N=host:q1:e1|host:q2:e2:participant;...`, as
   * the config node then shows them.
   *
   * @default {false}
   */
  multiAddress?: boolean | undefined;
}

interface Member {
  id: number;
  spec: string;
}

async function writeMember(
  options: TestingClusterOptions,
  id: number,
  port: number,
  members: readonly string[],
): Promise<string> {
  const dir = await tempDir(`zk-ens${id}-`);
  await mkdir(join(dir, "data"));
  await writeFile(join(dir, "data", "myid"), `${id}\n`);
  const servers = options.reconfig
    ? ["reconfigEnabled=true", `dynamicConfigFile=${join(dir, "zoo.cfg.dynamic")}`]
    : members;
  if (options.reconfig) await writeFile(join(dir, "zoo.cfg.dynamic"), members.join("\n") + "\n");
  const lines = [
    ...configOf(options, join(dir, "data"), port),
    "standaloneEnabled=false",
    // A read-only server creates only local sessions; without them it
    // refuses every new session with NOTREADONLY.
    ...(options.readOnlyMode
      ? ["localSessionsEnabled=true", "localSessionsUpgradingEnabled=true"]
      : []),
    ...servers,
  ];
  await writeFile(join(dir, "zoo.cfg"), lines.join("\n") + "\n");
  return dir;
}

function memberFlags(options: TestingClusterOptions): string[] {
  const flags = jvmFlagsOf(options);
  return options.multiAddress ? [...flags, "-Dzookeeper.multiAddress.enabled=true"] : flags;
}

// The client port, then a quorum and an election port per quorum address.
async function memberPorts(options: TestingClusterOptions): Promise<number[]> {
  const count = options.multiAddress ? 5 : 3;
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  return ports;
}

function memberSpec(id: number, [client, ...quorum]: readonly number[]): string {
  const addresses: string[] = [];
  for (let i = 0; i < quorum.length; i += 2) {
    addresses.push(`${LOOPBACK}:${quorum[i]}:${quorum[i + 1]}`);
  }
  return `server.${id}=${addresses.join("|")}:participant;${LOOPBACK}:${client}`;
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
  readonly #servers: TestingServer[];
  readonly #members = new Map<TestingServer, Member>();
  #options: TestingClusterOptions = {};

  /**
   * A cluster of members not started yet: use {@linkcode TestingCluster.start}.
   *
   * @param servers Its members.
   */
  constructor(servers: readonly TestingServer[]) {
    this.#servers = [...servers];
  }

  /**
   * Its members, in the order of their ids (`myid` 1, 2, ...), those added by
   * {@linkcode TestingCluster.addServer} last.
   */
  get servers(): readonly TestingServer[] {
    return this.#servers;
  }

  /**
   * A member's id (`myid`).
   *
   * @param server The member.
   * @returns Its id.
   * @throws {RangeError} When it is not a member of this cluster.
   */
  id(server: TestingServer): number {
    return this.#member(server).id;
  }

  /**
   * A member's line of the ensemble config, as `reconfig`'s `joining` takes it:
   * `server.<id>=127.0.0.1:<quorum>:<election>:participant;127.0.0.1:<client>`.
   *
   * @param server The member.
   * @returns The line.
   * @throws {RangeError} When it is not a member of this cluster.
   */
  spec(server: TestingServer): string {
    return this.#member(server).spec;
  }

  /**
   * Starts one more server, configured with the current members and itself,
   * and waits until it has synced with the leader. It votes only once a
   * client adds it with `reconfig({ joining: [cluster.spec(server)] })`.
   * Needs a cluster started with `reconfig: true`.
   *
   * @example Grow the ensemble to four
   * ```ts ignore
   * import { TestingCluster } from "@nd/service-registry/testing";
   * import { ZooKeeper } from "@nd/service-registry";
   *
   * await using cluster = await TestingCluster.start({ reconfig: true, config: { skipACL: "yes" } });
   * await using zk = await ZooKeeper.connect(cluster.connectString);
   * const fourth = await cluster.addServer();
   * await zk.reconfig({ joining: [cluster.spec(fourth)] });
   * ```
   *
   * @returns The new server, serving.
   * @throws {Error} When the cluster was not started with `reconfig: true`,
   *   or the server does not come up.
   */
  async addServer(): Promise<TestingServer> {
    if (!this.#options.reconfig) {
      throw new Error("addServer() needs a cluster started with reconfig: true");
    }
    const id = Math.max(...[...this.#members.values()].map((m) => m.id)) + 1;
    const ports = await memberPorts(this.#options);
    const spec = memberSpec(id, ports);
    const members = [...this.#servers.map((s) => this.spec(s)), spec];
    const dir = await writeMember(this.#options, id, ports[0], members);
    const server = new TestingServer({
      install: findInstall(this.#options),
      port: ports[0],
      dir,
      flags: memberFlags(this.#options),
      standalone: false,
    });
    this.#servers.push(server);
    this.#members.set(server, { id, spec });
    server.launch();
    await server.waitServing(/leader|follower|observer/, 60_000);
    return server;
  }

  #member(server: TestingServer): Member {
    const member = this.#members.get(server);
    if (member === undefined) throw new RangeError(`Port ${server.port} is not a member`);
    return member;
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
    const ports: number[][] = [];
    for (let i = 0; i < size; i++) ports.push(await memberPorts(options));
    const members = ports.map((p, i) => memberSpec(i + 1, p));
    const servers: TestingServer[] = [];
    for (let i = 0; i < size; i++) {
      const dir = await writeMember(options, i + 1, ports[i][0], members);
      servers.push(
        new TestingServer({
          install,
          port: ports[i][0],
          dir,
          flags: memberFlags(options),
          standalone: false,
        }),
      );
    }
    const cluster = new TestingCluster(servers);
    cluster.#options = options;
    servers.forEach((s, i) => cluster.#members.set(s, { id: i + 1, spec: members[i] }));
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
      await sleep(systemClock, 100);
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
