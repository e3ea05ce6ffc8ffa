/**
 * The test fixture for suites on a real server: one server (or ensemble) per
 * suite, clients that close with it, teardown steps that run while it still
 * serves, and a fresh chroot per test so that tests do not see each other's
 * nodes.
 *
 * @example A suite, and a test in its own chroot
 * ```ts ignore
 * describe("something on a real server", () => {
 *   const fx = useZooKeeper();
 *   it("works in a chroot", async () => {
 *     await using root = await fx.chroot();
 *     const zk = await root.connect();
 *     await zk.create("/a");
 *   });
 * });
 * ```
 *
 * @module
 */

import { after, before } from "./test.ts";
import { deleteTree } from "../../src/client/recipes.ts";
import { Registry, type RegistryOptions, ZooKeeper, type ZooKeeperOptions } from "../../mod.ts";
import { TestingCluster } from "../../src/testing/mod.ts";
import {
  freePort,
  startZooKeeper,
  type ZkEnsemble,
  type ZkEnsembleOptions,
  type ZkServer,
  type ZkServerOptions,
} from "./zk_server.ts";
import { makeCertificates, secureServerOptions, type TestCertificates } from "./tls_certs.ts";

/** A subtree of the server that a test owns; deleted with its clients closed at dispose. */
export interface ZkChroot extends AsyncDisposable {
  /** Its path on the server, such as `/t3`. */
  readonly path: string;
  /** The server's connect string with the chroot. */
  readonly connectString: string;
  /** Connects a client rooted here; it is closed at dispose. */
  connect(options?: ZooKeeperOptions): Promise<ZooKeeper>;
}

/** Clients, registries and teardown steps on one running ZooKeeper, closed together. */
export interface ZkSession extends AsyncDisposable {
  /** Connects a client to the servers' root; it is closed with the fixture. */
  connect(options?: ZooKeeperOptions): Promise<ZooKeeper>;
  /** Connects a registry to the servers; it is closed with the fixture, before the clients. */
  registry(options?: Omit<RegistryOptions, "servers">): Promise<Registry>;
  /** Makes a fresh chroot for one test. */
  chroot(): Promise<ZkChroot>;
  /**
   * Adds a step to the teardown: steps run last added first, before the
   * registries and clients close and before ZooKeeper stops.
   */
  defer(step: () => unknown): void;
  /** Runs the teardown steps, closes every registry and client and stops ZooKeeper. */
  close(): Promise<void>;
}

/** The settings of a standalone server, and whether it also serves TLS. */
export interface ZkFixtureOptions extends ZkServerOptions {
  /**
   * A secure client port besides the plain one, needing a client
   * certificate signed by a test CA made for the fixture.
   *
   * @default {false}
   */
  tls?: boolean | undefined;
}

/** The secure client port of a fixture started with `tls`. */
export interface ZkSecurePort {
  /** The port, on 127.0.0.1. */
  readonly port: number;
  /** The test PKI: its CA signed the server's and the client's certificates. */
  readonly certs: TestCertificates;
}

/** A standalone server and what is made on it. */
export interface ZkFixture extends ZkSession {
  /** The server. */
  readonly server: ZkServer;
  /** Its secure client port; only with the `tls` option. */
  readonly secure: ZkSecurePort;
}

/** An ensemble and what is made on it. */
export interface ZkEnsembleFixture extends ZkSession {
  /** The ensemble. */
  readonly ensemble: ZkEnsemble;
}

let chroots = 0;

class Clients {
  readonly #open = new Set<ZooKeeper>();

  async connect(connectString: string, options?: ZooKeeperOptions): Promise<ZooKeeper> {
    const zk = await ZooKeeper.connect(connectString, options);
    this.#open.add(zk);
    return zk;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#open].map((zk) => zk.close()));
    this.#open.clear();
  }
}

/** Sessions on `running`, closed before it stops. */
function sessionOn(running: { readonly connectString: string; close(): Promise<void> }): ZkSession {
  const clients = new Clients();
  const registries = new Set<Registry>();
  const steps: (() => unknown)[] = [];
  const close = async () => {
    try {
      let failure: { error: unknown } | undefined;
      for (const step of steps.splice(0).reverse()) {
        try {
          await step();
        } catch (error) {
          failure ??= { error };
        }
      }
      await Promise.all([...registries].map((r) => r.close()));
      registries.clear();
      await clients.close();
      if (failure !== undefined) throw failure.error;
    } finally {
      await running.close();
    }
  };
  return {
    connect: (opts) => clients.connect(running.connectString, opts),
    async registry(opts) {
      const registry = await Registry.connect({ ...opts, servers: running.connectString });
      registries.add(registry);
      return registry;
    },
    async chroot() {
      const path = `/t${++chroots}`;
      const admin = await clients.connect(running.connectString);
      await admin.create(path);
      const own = new Clients();
      const connectString = `${running.connectString}${path}`;
      return {
        path,
        connectString,
        connect: (opts) => own.connect(connectString, opts),
        async [Symbol.asyncDispose]() {
          await own.close();
          await deleteTree(admin, path).catch(() => {});
          await admin.close();
        },
      };
    },
    defer: (step) => void steps.push(step),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * Starts a server with no client yet.
 *
 * @param options The server's settings.
 * @returns The fixture; `await using` stops it.
 */
export async function startFixture(options: ZkFixtureOptions = {}): Promise<ZkFixture> {
  const { tls = false, ...settings } = options;
  if (!tls) {
    const server = await startZooKeeper(settings);
    return {
      ...sessionOn(server),
      server,
      get secure(): ZkSecurePort {
        throw new Error("the fixture was started without tls");
      },
    };
  }
  const certs = await makeCertificates();
  try {
    const port = await freePort();
    const secured = secureServerOptions(certs, port);
    const server = await startZooKeeper({
      ...settings,
      config: { ...settings.config, ...secured.config },
      jvmFlags: [...settings.jvmFlags ?? [], ...secured.jvmFlags],
    });
    const session = sessionOn({
      connectString: server.connectString,
      async close() {
        await server.close();
        await certs[Symbol.asyncDispose]();
      },
    });
    return { ...session, server, secure: { port, certs } };
  } catch (error) {
    await certs[Symbol.asyncDispose]();
    throw error;
  }
}

/**
 * Starts an ensemble with no client yet.
 *
 * @param size How many servers.
 * @param options The servers' settings.
 * @returns The fixture; `await using` stops it.
 */
async function startEnsembleFixture(
  size = 3,
  options: ZkEnsembleOptions = {},
): Promise<ZkEnsembleFixture> {
  const ensemble = await TestingCluster.start({ ...options, size });
  return { ...sessionOn(ensemble), ensemble };
}

/** The suite's fixture, started by a `before` hook and closed by an `after` hook. */
function useFixture<F extends ZkSession>(start: () => Promise<F>): () => F {
  let fixture: F | undefined;
  before(async () => {
    fixture = await start();
  });
  after(async () => {
    await fixture?.close();
  });
  return () => {
    if (fixture === undefined) throw new Error("the fixture is used before the suite started");
    return fixture;
  };
}

/** The session calls of a fixture not started yet. */
function later(started: () => ZkSession): ZkSession {
  return {
    connect: (opts) => started().connect(opts),
    registry: (opts) => started().registry(opts),
    chroot: () => started().chroot(),
    defer: (step) => started().defer(step),
    close: () => started().close(),
    [Symbol.asyncDispose]: () => started().close(),
  };
}

/**
 * Starts a server before the suite's tests and closes it after them: call it
 * in a `describe` body, before the suite's own hooks. Teardown that must run
 * while the server serves goes to {@linkcode ZkSession.defer}.
 *
 * @param options The server's settings.
 * @returns The fixture, usable once the suite runs.
 */
export function useZooKeeper(options: ZkFixtureOptions = {}): ZkFixture {
  const started = useFixture(() => startFixture(options));
  return {
    ...later(started),
    get server() {
      return started().server;
    },
    get secure() {
      return started().secure;
    },
  };
}

/**
 * Starts an ensemble before the suite's tests and closes it after them, as
 * {@linkcode useZooKeeper} does a server.
 *
 * @param size How many servers.
 * @param options The servers' settings.
 * @returns The fixture, usable once the suite runs.
 */
export function useEnsemble(size = 3, options: ZkEnsembleOptions = {}): ZkEnsembleFixture {
  const started = useFixture(() => startEnsembleFixture(size, options));
  return {
    ...later(started),
    get ensemble() {
      return started().ensemble;
    },
  };
}
