/**
 * A TCP proxy on loopback that tests put between a client and a real server
 * to make the faults a healthy server never makes: a silent peer, a cut
 * connection, a refused one, a slow link.
 *
 * @module
 */

import { createServer, type Server, Socket } from "node:net";
import { LOOPBACK } from "./four_letter.ts";

/**
 * `pass` forwards both ways; `blackhole` keeps the sockets open but forwards
 * nothing (a half-open connection); `drop` accepts new connections and closes
 * them at once.
 */
export type ProxyMode = "pass" | "blackhole" | "drop";

/**
 * A running proxy: clients connect to {@linkcode FaultProxy.address}, the
 * proxy forwards to the real server, and the test decides what gets through.
 */
export interface FaultProxy extends AsyncDisposable {
  /** Always loopback. */
  readonly host: string;
  /** The port clients connect to. */
  readonly port: number;
  /** `host:port`. */
  readonly address: string;
  /** Open client connections. */
  readonly connections: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Where new connections go. */
  setTarget(host: string, port: number): void;
  /** How traffic is treated from now on, on open connections too. */
  setMode(mode: ProxyMode): void;
  /** Delays every chunk by `ms` in both directions, keeping the order. */
  setDelay(ms: number): void;
  /** Closes every open connection, both sides. */
  cut(): void;
  /**
   * Stops listening (connections are refused) or listens again on the same
   * port.
   *
   * @returns Resolves once it is so: a connection made after it is refused,
   *   or accepted.
   */
  refuse(on: boolean): Promise<void>;
  /** Closes everything. */
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  server: Socket;
}

/**
 * Starts a proxy to `target` on a free loopback port.
 *
 * @example A client through the proxy, then a network fault
 * ```ts ignore
 * import { startFaultProxy, TestingServer } from "@nd/service-registry/testing";
 * import { ZooKeeper } from "@nd/service-registry";
 *
 * await using server = await TestingServer.start();
 * await using proxy = await startFaultProxy(server);
 * await using zk = await ZooKeeper.connect(proxy.address, { sessionTimeout: 4000 });
 * proxy.setMode("blackhole"); // the server falls silent: pings go unanswered
 * proxy.setMode("pass");
 * proxy.setDelay(300); // a slow link
 * proxy.cut(); // every open connection closed: the client reconnects
 * await proxy.refuse(true); // nothing listens: reconnecting fails until refuse(false)
 * ```
 *
 * @param target The real server (a `TestingServer` will do).
 * @returns The proxy, passing traffic.
 */
export async function startFaultProxy(
  target: { host: string; port: number },
): Promise<FaultProxy> {
  let mode: ProxyMode = "pass";
  let delay = 0;
  let accepted = 0;
  let to = { ...target };
  const pairs = new Set<Pair>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const conditions = { mode: () => mode, delay: () => delay, timers };
  const forward = (from: Socket, into: Socket, end: () => void) =>
    forwardInOrder(from, into, end, conditions);

  const onConnection = (client: Socket) => {
    accepted++;
    if (mode === "drop") {
      client.destroy();
      return;
    }
    const server = new Socket();
    const pair = { client, server };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on("error", end);
    server.on("error", end);
    server.connect(to.port, to.host);
    forward(client, server, end);
    forward(server, client, end);
  };

  let listener: Server | undefined;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createServer(onConnection);
      s.once("error", reject);
      s.listen(port, LOOPBACK, () => {
        listener = s;
        resolve((s.address() as { port: number }).port);
      });
    });
  const unlisten = () =>
    new Promise<void>((resolve) => {
      const s = listener;
      listener = undefined;
      if (s === undefined) return resolve();
      s.close(() => resolve());
    });

  const port = await listen(0);
  let refusing: Promise<void> = Promise.resolve();
  let stopped: Promise<void> = Promise.resolve();
  const cut = () => {
    for (const pair of pairs) {
      pair.client.destroy();
      pair.server.destroy();
    }
    pairs.clear();
  };
  const proxy: FaultProxy = {
    host: LOOPBACK,
    port,
    address: `${LOOPBACK}:${port}`,
    get connections() {
      return pairs.size;
    },
    get accepted() {
      return accepted;
    },
    setTarget(host, p) {
      to = { host, port: p };
    },
    setMode(m) {
      mode = m;
    },
    setDelay(ms) {
      delay = ms;
    },
    cut,
    refuse(on) {
      refusing = refusing.then(async () => {
        // The port stops taking connections as soon as close() is called;
        // its callback waits for the open ones to end, which a test cuts later.
        if (on) stopped = unlisten();
        else if (listener === undefined) await listen(port);
      });
      return refusing;
    },
    async close() {
      await refusing;
      cut();
      await stopped;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await unlisten();
    },
    [Symbol.asyncDispose]() {
      return proxy.close();
    },
  };
  return proxy;
}

/** What a direction of the proxy reads of the proxy's settings. */
interface Conditions {
  /** The proxy's mode now. */
  mode(): ProxyMode;
  /** The delay now, in milliseconds. */
  delay(): number;
  /** The proxy's timers, cleared when it closes. */
  timers: Set<ReturnType<typeof setTimeout>>;
}

// One direction of a connection: one queue, drained in order, so that a
// delayed chunk never overtakes an earlier one, and the peer's close comes
// after the data it sent before closing.
function forwardInOrder(from: Socket, into: Socket, end: () => void, conditions: Conditions) {
  const { timers } = conditions;
  const queue: { at: number; action: () => void }[] = [];
  let draining = false;
  const drain = () => {
    while (queue.length > 0 && queue[0].at <= Date.now()) queue.shift()!.action();
    draining = queue.length > 0;
    if (!draining) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      drain();
    }, queue[0].at - Date.now());
    timers.add(timer);
  };
  const push = (action: () => void) => {
    const delay = conditions.delay();
    if (delay === 0 && queue.length === 0) return action();
    queue.push({ at: Math.max(Date.now() + delay, queue.at(-1)?.at ?? 0), action });
    if (!draining) drain();
  };
  from.on("data", (chunk) => {
    if (conditions.mode() === "blackhole") return;
    push(() => {
      if (!into.destroyed) into.write(chunk);
    });
  });
  // Ending (rather than destroying) `into` first lets its last writes out.
  from.on("close", () =>
    push(() => {
      if (into.destroyed) end();
      else into.end(end);
    }));
}
