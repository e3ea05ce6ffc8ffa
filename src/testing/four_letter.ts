/**
 * Loopback helpers shared by the test servers: a free port, and ZooKeeper's
 * four-letter words (`ruok`, `srvr`, `stat`, ...) sent over a plain socket.
 *
 * @module
 */

import { connect, createServer } from "node:net";

/** The address every test server and proxy listens on. */
export const LOOPBACK = "127.0.0.1";

/**
 * A loopback port nobody listens on now.
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
export function freePort(): Promise<number> {
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
