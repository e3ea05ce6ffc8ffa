/**
 * A TCP proxy on loopback that tests put between a client and a real server
 * to make the faults a healthy server never makes: a silent peer, a cut
 * connection, a refused one, a slow link.
 *
 * @module
 */

import { createServer, type Server, Socket } from "node:net";

/**
 * `pass` forwards both ways; `blackhole` keeps the sockets open but forwards
 * nothing (a half-open connection); `drop` accepts new connections and closes
 * them at once.
 */
export type ProxyMode = "pass" | "blackhole" | "drop";

/** A running proxy. */
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
  /** Stops listening (connections are refused) or listens again on the same port. */
  refuse(on: boolean): void;
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
 * @param target The real server.
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

  const forward = (from: Socket, into: Socket) => {
    // One queue per direction: a delayed chunk never overtakes an earlier one.
    let last = 0;
    from.on("data", (chunk) => {
      if (mode === "blackhole") return;
      if (delay === 0 && last <= Date.now()) {
        if (!into.destroyed) into.write(chunk);
        return;
      }
      const at = Math.max(Date.now() + delay, last);
      last = at;
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!into.destroyed) into.write(chunk);
      }, at - Date.now());
      timers.add(timer);
    });
  };

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
    client.on("close", end);
    server.on("close", end);
    server.connect(to.port, to.host);
    forward(client, server);
    forward(server, client);
  };

  let listener: Server | undefined;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createServer(onConnection);
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
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
  const cut = () => {
    for (const pair of pairs) {
      pair.client.destroy();
      pair.server.destroy();
    }
    pairs.clear();
  };
  const proxy: FaultProxy = {
    host: "127.0.0.1",
    port,
    address: `127.0.0.1:${port}`,
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
        if (on) await unlisten();
        else if (listener === undefined) await listen(port);
      });
    },
    async close() {
      await refusing;
      cut();
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
