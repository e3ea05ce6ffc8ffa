/**
 * Loopback helpers shared by the test servers: a free port, and ZooKeeper's
 * four-letter words (`ruok`, `srvr`, `stat`, ...) sent over a plain socket.
 *
 * @module
 */

import { connect, createServer } from "node:net";

/** The address every test server and proxy listens on. */
export const LOOPBACK = "127.0.0.1";

// Ports are picked below the kernels' ephemeral ranges (Linux 32768-60999,
// Windows and macOS 49152-65535): the kernel never gives these to another
// socket by itself (an outgoing connection, a listen on port 0), so one that
// is free when picked stays free until the server that asked for it binds it.
const LOWEST = 20_000;
const HIGHEST = 32_000;
// Handed out by this process: a second caller must not get one before the
// first caller's server has bound it.
const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, LOOPBACK, () => server.close(() => resolve(true)));
  });
}

function anyPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A loopback port nobody listens on now, for a server started later: one
 * this process has not handed out before, outside the range the kernel
 * gives out by itself, so that nothing takes it in the meantime.
 *
 * @example Reserving a port for a server started later
 * ```ts ignore
 * import { freePort, TestingServer } from "@nd/service-registry/testing";
 * const port = await freePort();
 * await using server = await TestingServer.start({ port });
 * ```
 *
 * @returns The port.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  // The whole range is taken: the kernel's choice, still never one handed out.
  for (;;) {
    const port = await anyPort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

/**
 * Sends a four-letter word to a server on loopback and returns its answer.
 * Never rejects: a server that is down or silent answers `""`.
 *
 * @example Asking a server its mode
 * ```ts ignore
 * import { fourLetterWord } from "@nd/service-registry/testing";
 * const srvr = await fourLetterWord(2181, "srvr");
 * console.log(/Mode: (\w+)/.exec(srvr)?.[1]); // "standalone", "leader", "follower"
 * ```
 *
 * @param port The server's client port.
 * @param command The word, such as `"ruok"` or `"srvr"`.
 * @param timeout How long to wait for the answer, in milliseconds.
 * @returns The answer, `""` when there is none.
 */
export function fourLetterWord(port: number, command: string, timeout = 5000): Promise<string> {
  return new Promise((resolve) => {
    let reply = "";
    const socket = connect({ host: LOOPBACK, port });
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
