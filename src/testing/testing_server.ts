/**
 * A real ZooKeeper server for tests: a JVM of its own on a free loopback port,
 * with a temporary directory for its configuration, data and log, stopped
 * gently, killed as in a crash, or restarted on the same port with its data.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { systemClock } from "../util/clock.ts";
import { sleep } from "../util/sleep.ts";
import { fourLetterWord, freePort, LOOPBACK } from "./four_letter.ts";
import { findInstall, type Install, type InstallOptions } from "./install.ts";
import { writeJaas } from "./jaas.ts";

/** Settings of a test server (and of every member of a cluster). */
export interface TestingServerOptions extends InstallOptions {
  /** The client port of a standalone server. @default {a free one} */
  port?: number | undefined;
  /** TTL nodes and other extended types (`zookeeper.extendedTypesEnabled`). @default {true} */
  extendedTypes?: boolean | undefined;
  /** The server's tick, in milliseconds. @default {500} */
  tickTime?: number | undefined;
  /** The shortest session timeout it grants, in milliseconds. @default {1000} */
  minSessionTimeout?: number | undefined;
  /** The longest session timeout it grants, in milliseconds. @default {60000} */
  maxSessionTimeout?: number | undefined;
  /** More lines of zoo.cfg, such as `{ "maxClientCnxns": "10" }`. */
  config?: Record<string, string> | undefined;
  /** More JVM flags (`-D...`). */
  jvmFlags?: string[] | undefined;
  /**
   * Serve reads without a quorum (`readonlymode.enabled`, with local sessions,
   * which read-only servers need).
   *
   * @default {false}
   */
  readOnlyMode?: boolean | undefined;
  /**
   * SASL DIGEST-MD5 users the server accepts, passwords by user name: a JAAS
   * file with a `DigestLoginModule` `Server` section, and
   * `SASLAuthenticationProvider`.
   */
  saslUsers?: Record<string, string> | undefined;
}

const running = new Set<ChildProcess>();
const directories = new Set<string>();

// What a test leaves behind goes with the process: servers and their
// temporary directories.
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

/** A new temporary directory, removed when the process exits if nobody did it before. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  directories.add(dir);
  return dir;
}

/**
 * The options with what `saslUsers` asks for (a JAAS file in `dir`) added to
 * `config` and `jvmFlags`.
 */
export async function withSaslUsers(
  options: TestingServerOptions,
  dir: string,
): Promise<TestingServerOptions> {
  if (options.saslUsers === undefined) return options;
  const sasl = await writeJaas(dir, options.saslUsers);
  return {
    ...options,
    config: { ...sasl.config, ...options.config },
    jvmFlags: [...sasl.flags, ...(options.jvmFlags ?? [])],
  };
}

/** The JVM flags the options ask for. */
export function jvmFlagsOf(options: TestingServerOptions): string[] {
  return [
    `-Dzookeeper.extendedTypesEnabled=${options.extendedTypes ?? true}`,
    `-Dreadonlymode.enabled=${options.readOnlyMode ?? false}`,
    ...(options.jvmFlags ?? []),
  ];
}

/** The zoo.cfg lines of a server with its data in `dataDir` serving `port`. */
export function configOf(options: TestingServerOptions, dataDir: string, port: number): string[] {
  const lines = {
    tickTime: String(options.tickTime ?? 500),
    initLimit: "10",
    syncLimit: "5",
    dataDir,
    clientPort: String(port),
    clientPortAddress: LOOPBACK,
    minSessionTimeout: String(options.minSessionTimeout ?? 1000),
    maxSessionTimeout: String(options.maxSessionTimeout ?? 60_000),
    "4lw.commands.whitelist": "*",
    "admin.enableServer": "false",
    ...options.config,
  };
  return Object.entries(lines).map(([k, v]) => `${k}=${v}`);
}

/** How a server is launched: {@linkcode TestingServer.start} and `TestingCluster` make these. */
export interface ServerLaunch {
  /** Java and the classpath. */
  install: Install;
  /** The client port. */
  port: number;
  /** The temporary directory, holding `zoo.cfg`. */
  dir: string;
  /** JVM flags. */
  flags: string[];
  /** One server, or a member of an ensemble. */
  standalone: boolean;
}

/**
 * A ZooKeeper server running in a JVM of its own on loopback.
 *
 * @example A server for one test, removed at the end of the scope
 * ```ts ignore
 * import { TestingServer } from "@nd/service-registry/testing";
 * import { ZooKeeper } from "@nd/service-registry";
 *
 * await using server = await TestingServer.start();
 * await using zk = await ZooKeeper.connect(server.connectString);
 * await zk.create("/app", "hello");
 * await server.restart(); // same port, same data
 * ```
 */
export class TestingServer implements AsyncDisposable {
  /** Its address: always loopback. */
  readonly host: string = LOOPBACK;
  /** Its client port. */
  readonly port: number;
  /** Its temporary directory: `zoo.cfg`, `data/` and `server.log`. */
  readonly dataDir: string;
  readonly #launch: ServerLaunch;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #spawnError: Error | undefined;

  /**
   * A server not started yet: use {@linkcode TestingServer.start}, or
   * `TestingCluster.start` for an ensemble.
   *
   * @param launch How it is launched.
   */
  constructor(launch: ServerLaunch) {
    this.#launch = launch;
    this.port = launch.port;
    this.dataDir = launch.dir;
    directories.add(launch.dir);
  }

  /**
   * Starts a standalone server on a free loopback port (or `options.port`)
   * and waits until it serves.
   *
   * @example Start, use, stop
   * ```ts ignore
   * import { TestingServer } from "@nd/service-registry/testing";
   * const server = await TestingServer.start({ tickTime: 200 });
   * console.log(server.connectString); // 127.0.0.1:<port>
   * await server.close();
   * ```
   *
   * @param options Settings, and where Java and ZooKeeper are.
   * @returns The server, serving.
   * @throws {ZooKeeperNotFoundError} When ZooKeeper's jars are not found.
   * @throws {JavaNotFoundError} When no Java runtime is found.
   */
  static async start(options: TestingServerOptions = {}): Promise<TestingServer> {
    const install = findInstall(options);
    const dir = await tempDir("zk-test-");
    const port = options.port ?? await freePort();
    await mkdir(join(dir, "data"));
    const withSasl = await withSaslUsers(options, dir);
    const lines = configOf(withSasl, join(dir, "data"), port);
    await writeFile(join(dir, "zoo.cfg"), lines.join("\n") + "\n");
    const server = new TestingServer({
      install,
      port,
      dir,
      flags: jvmFlagsOf(withSasl),
      standalone: true,
    });
    await server.start();
    return server;
  }

  /** `host:port`, what a client connects to. */
  get connectString(): string {
    return `${this.host}:${this.port}`;
  }

  /** The JVM's pid while it runs. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Whether its JVM runs. */
  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Starts the JVM without waiting (an ensemble's members start together). */
  launch(): void {
    const { install, dir, flags, standalone } = this.#launch;
    const main = standalone
      ? "org.apache.zookeeper.server.ZooKeeperServerMain"
      : "org.apache.zookeeper.server.quorum.QuorumPeerMain";
    const child = spawn(install.java, [
      "-Xmx256m",
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      `-Dorg.slf4j.simpleLogger.logFile=${join(dir, "server.log")}`,
      "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
      "-Dzookeeper.admin.enableServer=false",
      ...flags,
      "-cp",
      install.classpath,
      main,
      join(dir, "zoo.cfg"),
    ], { stdio: "ignore" });
    running.add(child);
    this.#child = child;
    this.#spawnError = undefined;
    this.#exited = new Promise((resolve) => {
      const exited = () => {
        running.delete(child);
        if (this.#child === child) this.#child = undefined;
        resolve();
      };
      child.once("exit", exited);
      child.once("error", (error) => {
        this.#spawnError = error;
        exited();
      });
    });
  }

  /**
   * Waits until the server reports one of `modes` (`srvr`'s `Mode:` line).
   *
   * @param modes The modes accepted, such as `/leader|follower/`.
   * @param ms How long to wait.
   * @throws {Error} When the JVM exits or the time is up, with the end of its log.
   */
  async waitServing(modes: RegExp, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.#child === undefined) {
        const why = this.#spawnError?.message ?? await this.logTail();
        throw new Error(`ZooKeeper on port ${this.port} exited: ${why}`);
      }
      const mode = /Mode: ([\w-]+)/.exec(await fourLetterWord(this.port, "srvr", 1000))?.[1];
      if (mode !== undefined && modes.test(mode)) return;
      if (Date.now() > deadline) {
        throw new Error(
          `ZooKeeper on port ${this.port} did not come up in ${ms} ms: ${await this.logTail()}`,
        );
      }
      await sleep(systemClock, 100);
    }
  }

  /** The last lines of its log, for error messages. */
  async logTail(lines = 15): Promise<string> {
    try {
      const log = await readFile(join(this.dataDir, "server.log"), "utf8");
      return log.split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  /** Starts it again with the same port and data, and waits until it serves. */
  async start(): Promise<void> {
    if (this.#child !== undefined) return;
    this.launch();
    await this.waitServing(this.#launch.standalone ? /standalone/ : /leader|follower|read-only/);
  }

  /** Stops it (SIGTERM, then SIGKILL after 5 s) and waits for the JVM to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Kills it at once (SIGKILL), as a crash would, and waits for the JVM to exit. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    child.kill("SIGKILL");
    await this.#exited;
  }

  /** Stops it, then starts it again on the same port with the same data. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /**
   * Sends a four-letter word (`ruok`, `srvr`, `isro`, `mntr`, ...).
   *
   * @param command The word.
   * @param timeout How long to wait for the answer, in milliseconds.
   * @returns The answer, `""` when the server does not answer in time.
   */
  fourLetter(command: string, timeout = 5000): Promise<string> {
    return fourLetterWord(this.port, command, timeout);
  }

  /** Stops it and removes its temporary directory. */
  async close(): Promise<void> {
    await this.stop();
    await rm(this.dataDir, { recursive: true, force: true });
    directories.delete(this.dataDir);
  }

  /** Same as {@linkcode TestingServer.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
