/**
 * Real ZooKeeper servers for the tests: a standalone server or an ensemble on
 * free loopback ports, each with a temporary directory, started as a JVM of
 * its own and stopped by its pid.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

/** One running (or stopped) server. */
export interface ZkServer extends AsyncDisposable {
  /** Its address: always loopback. */
  readonly host: string;
  /** Its client port. */
  readonly port: number;
  /** `host:port`. */
  readonly connectString: string;
  /** The JVM's pid while it runs. */
  readonly pid: number | undefined;
  /** Its temporary directory (configuration, data, log). */
  readonly dataDir: string;
  /** Whether it runs. */
  readonly running: boolean;
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL), as a crash, and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again with the same ports and data, and waits until it serves. */
  start(): Promise<void>;
  /** Sends a four-letter word (ruok, srvr, isro, ...) and returns the reply. */
  fourLetter(command: string): Promise<string>;
}

/** Settings of the servers. */
export interface ZkServerOptions {
  /** The client port of a standalone server. @default {a free one} */
  port?: number;
  /** TTL nodes and other extended types (`zookeeper.extendedTypesEnabled`). @default {true} */
  extendedTypes?: boolean;
  /** @default {500} */
  tickTime?: number;
  /** @default {1000} */
  minSessionTimeout?: number;
  /** @default {60000} */
  maxSessionTimeout?: number;
  /** More lines of zoo.cfg. */
  config?: Record<string, string>;
  /** More JVM flags (`-D...`). */
  jvmFlags?: string[];
  /**
   * Serve reads without a quorum (`readonlymode.enabled`, with local sessions,
   * which read-only servers need).
   */
  readOnlyMode?: boolean;
}

/** A running ensemble. */
export interface ZkEnsemble extends AsyncDisposable {
  /** Its servers. */
  readonly servers: readonly ZkServer[];
  /** Every server's `host:port`, comma separated. */
  readonly connectString: string;
  /** The server that leads now, if any. */
  leader(): Promise<ZkServer | undefined>;
  /** Stops every server and removes their directories. */
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";
const JARS = "/usr/share/java";
const running = new Set<ChildProcess>();
const directories = new Set<string>();

// Whatever a test leaves behind goes with the process: servers and their
// temporary directories.
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

function classpath(): string {
  if (!existsSync(join(JARS, "zookeeper.jar"))) {
    throw new Error(
      "ZooKeeper is not installed (no /usr/share/java/zookeeper.jar): run `bash scripts/install_zookeeper.sh`",
    );
  }
  const wanted =
    /^(zookeeper|zookeeper-jute|slf4j-api|slf4j-simple|metrics-core|snappy-java|commons-cli|commons-io|jline|netty-[a-z-]+)\.jar$/;
  return readdirSync(JARS).filter((f) => wanted.test(f) && !f.includes("native-macos"))
    .map((f) => join(JARS, f)).join(":");
}

/** A port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Sends a four-letter word to a port and returns what the server answers. */
export function fourLetterWord(port: number, command: string, timeout = 2000): Promise<string> {
  return new Promise((resolve) => {
    let reply = "";
    const socket = connect({ host: HOST, port });
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(done, timeout);
    socket.on("connect", () => socket.write(command));
    socket.on("data", (chunk) => reply += chunk.toString());
    socket.on("end", done);
    socket.on("error", done);
    socket.on("close", done);
  });
}

class Server implements ZkServer {
  readonly host = HOST;
  readonly port: number;
  readonly dataDir: string;
  readonly #config: string;
  readonly #flags: string[];
  readonly #standalone: boolean;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  constructor(port: number, dir: string, config: string, flags: string[], standalone: boolean) {
    this.port = port;
    this.dataDir = dir;
    this.#config = config;
    this.#flags = flags;
    this.#standalone = standalone;
  }

  get connectString(): string {
    return `${HOST}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  launch(): void {
    const log = join(this.dataDir, "server.log");
    const main = this.#standalone
      ? "org.apache.zookeeper.server.ZooKeeperServerMain"
      : "org.apache.zookeeper.server.quorum.QuorumPeerMain";
    const child = spawn("java", [
      "-Xmx256m",
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      `-Dorg.slf4j.simpleLogger.logFile=${log}`,
      "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
      "-Dzookeeper.admin.enableServer=false",
      ...this.#flags,
      "-cp",
      classpath(),
      main,
      this.#config,
    ], { stdio: "ignore" });
    running.add(child);
    this.#child = child;
    this.#exited = new Promise((resolve) => {
      child.once("exit", () => {
        running.delete(child);
        if (this.#child === child) this.#child = undefined;
        resolve();
      });
    });
  }

  async waitServing(modes: RegExp, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.#child === undefined) {
        throw new Error(`ZooKeeper on ${this.port} exited: ${await this.logTail()}`);
      }
      const srvr = await fourLetterWord(this.port, "srvr", 1000);
      const mode = /Mode: (\w+)/.exec(srvr)?.[1];
      if (mode !== undefined && modes.test(mode)) return;
      if (Date.now() > deadline) {
        throw new Error(
          `ZooKeeper on ${this.port} did not come up in ${ms} ms: ${await this.logTail()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async logTail(): Promise<string> {
    try {
      return (await readFile(join(this.dataDir, "server.log"), "utf8")).split("\n").slice(-15).join(
        "\n",
      );
    } catch {
      return "(no log)";
    }
  }

  async start(): Promise<void> {
    if (this.#child !== undefined) return;
    this.launch();
    await this.waitServing(this.#standalone ? /standalone/ : /leader|follower|read-only/);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await this.#exited;
    clearTimeout(timer);
  }

  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    child.kill("SIGKILL");
    await this.#exited;
  }

  fourLetter(command: string): Promise<string> {
    return fourLetterWord(this.port, command);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

function flagsOf(options: ZkServerOptions): string[] {
  return [
    `-Dzookeeper.extendedTypesEnabled=${options.extendedTypes ?? true}`,
    `-Dreadonlymode.enabled=${options.readOnlyMode ?? false}`,
    ...(options.jvmFlags ?? []),
  ];
}

function configOf(options: ZkServerOptions, dataDir: string, port: number): string[] {
  const lines = {
    tickTime: String(options.tickTime ?? 500),
    initLimit: "10",
    syncLimit: "5",
    dataDir,
    clientPort: String(port),
    clientPortAddress: HOST,
    minSessionTimeout: String(options.minSessionTimeout ?? 1000),
    maxSessionTimeout: String(options.maxSessionTimeout ?? 60_000),
    "4lw.commands.whitelist": "*",
    "admin.enableServer": "false",
    ...options.config,
  };
  return Object.entries(lines).map(([k, v]) => `${k}=${v}`);
}

/**
 * Starts a standalone server on a free loopback port.
 *
 * @param options Settings.
 * @returns The server, serving.
 */
export async function startZooKeeper(options: ZkServerOptions = {}): Promise<ZkServer> {
  const dir = await mkdtemp(join(tmpdir(), "zk-test-"));
  directories.add(dir);
  const port = options.port ?? await freePort();
  const cfg = join(dir, "zoo.cfg");
  await mkdir(join(dir, "data"));
  await writeFile(cfg, configOf(options, join(dir, "data"), port).join("\n") + "\n");
  const server = new Server(port, dir, cfg, flagsOf(options), true);
  await server.start();
  return server;
}

/**
 * Starts an ensemble on loopback and waits until every server has joined.
 *
 * @param size How many servers.
 * @param options Settings, for every server.
 * @returns The ensemble.
 */
export async function startEnsemble(size = 3, options: ZkServerOptions = {}): Promise<ZkEnsemble> {
  const ports = [];
  for (let i = 0; i < size; i++) ports.push([await freePort(), await freePort(), await freePort()]);
  const servers: Server[] = [];
  for (let i = 0; i < size; i++) {
    const dir = await mkdtemp(join(tmpdir(), `zk-ens${i + 1}-`));
    directories.add(dir);
    await mkdir(join(dir, "data"));
    await writeFile(join(dir, "data", "myid"), `${i + 1}\n`);
    const members = ports.map(([client, quorum, election], j) =>
      `server.${j + 1}=${HOST}:${quorum}:${election};${HOST}:${client}`
    );
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
    const cfg = join(dir, "zoo.cfg");
    await writeFile(cfg, lines.join("\n") + "\n");
    servers.push(new Server(ports[i][0], dir, cfg, flagsOf(options), false));
  }
  for (const s of servers) s.launch();
  await Promise.all(servers.map((s) => s.waitServing(/leader|follower/, 60_000)));
  const ensemble: ZkEnsemble = {
    servers,
    connectString: servers.map((s) => s.connectString).join(","),
    async leader() {
      for (const s of servers) {
        if (s.running && /Mode: leader/.test(await s.fourLetter("srvr"))) return s;
      }
      return undefined;
    },
    async stop() {
      await Promise.all(servers.map((s) => s[Symbol.asyncDispose]()));
    },
    [Symbol.asyncDispose]() {
      return ensemble.stop();
    },
  };
  return ensemble;
}
