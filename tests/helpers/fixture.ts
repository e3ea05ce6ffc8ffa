/**
 * The test fixture for suites on a real server: one server per suite,
 * clients that close with it, and a fresh chroot per test so that tests do
 * not see each other's nodes.
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
import { startZooKeeper, type ZkServer, type ZkServerOptions } from "./zk_server.ts";

/** A subtree of the server that a test owns; deleted with its clients closed at dispose. */
export interface ZkChroot extends AsyncDisposable {
  /** Its path on the server, such as `/t3`. */
  readonly path: string;
  /** The server's connect string with the chroot. */
  readonly connectString: string;
  /** Connects a client rooted here; it is closed at dispose. */
  connect(options?: ZooKeeperOptions): Promise<ZooKeeper>;
}

/** A server and the clients made on it, closed together. */
export interface ZkFixture extends AsyncDisposable {
  /** The server. */
  readonly server: ZkServer;
  /** Connects a client to the server's root; it is closed with the fixture. */
  connect(options?: ZooKeeperOptions): Promise<ZooKeeper>;
  /** Connects a registry to the server; it is closed with the fixture, before the clients. */
  registry(options?: Omit<RegistryOptions, "servers">): Promise<Registry>;
  /** Makes a fresh chroot for one test. */
  chroot(): Promise<ZkChroot>;
  /** Closes every client and stops the server. */
  close(): Promise<void>;
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

/**
 * Starts a server with no client yet.
 *
 * @param options The server's settings.
 * @returns The fixture; `await using` stops it.
 */
export async function startFixture(options: ZkServerOptions = {}): Promise<ZkFixture> {
  const server = await startZooKeeper(options);
  const clients = new Clients();
  const registries = new Set<Registry>();
  const close = async () => {
    await Promise.all([...registries].map((r) => r.close()));
    registries.clear();
    await clients.close();
    await server.stop();
  };
  return {
    server,
    connect: (opts) => clients.connect(server.connectString, opts),
    async registry(opts) {
      const registry = await Registry.connect({ ...opts, servers: server.connectString });
      registries.add(registry);
      return registry;
    },
    async chroot() {
      const path = `/t${++chroots}`;
      const admin = await clients.connect(server.connectString);
      await admin.create(path);
      const own = new Clients();
      const connectString = `${server.connectString}${path}`;
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
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * Starts a fixture before the suite's tests and closes it after them: call it
 * in a `describe` body, before the suite's own hooks.
 *
 * @param options The server's settings.
 * @returns The fixture, usable once the suite runs.
 */
export function useZooKeeper(options: ZkServerOptions = {}): ZkFixture {
  let fixture: ZkFixture | undefined;
  const started = (): ZkFixture => {
    if (fixture === undefined) throw new Error("the fixture is used before the suite started");
    return fixture;
  };
  before(async () => {
    fixture = await startFixture(options);
  });
  after(async () => {
    await fixture?.close();
  });
  return {
    get server() {
      return started().server;
    },
    connect: (opts) => started().connect(opts),
    registry: (opts) => started().registry(opts),
    chroot: () => started().chroot(),
    close: () => started().close(),
    [Symbol.asyncDispose]: () => started().close(),
  };
}
