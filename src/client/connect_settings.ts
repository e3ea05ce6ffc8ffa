/**
 * What `ZooKeeper.connect` makes of its connect string and options before a
 * session starts: the options checked, the servers in the order to try them,
 * the transport, and the session's settings.
 *
 * @module
 */

import { parseConnectString } from "../session/connect_string.ts";
import type { SessionOptions } from "../session/session_options.ts";
import { defaultTransport } from "../transport/select.ts";
import {
  checkConnectOptions,
  hostOrder,
  sessionOptions,
  type ZooKeeperOptions,
} from "./options.ts";

/** The outcome of {@linkcode connectSettings}. */
export interface ConnectSettings {
  /** The chroot of the connect string, `""` for none. */
  readonly chroot: string;
  /** The settings of the session. */
  readonly session: SessionOptions;
}

/**
 * Checks the options and turns them, with the connect string, into the
 * session's settings.
 *
 * @param connectString Servers and an optional chroot.
 * @param options The client's options.
 * @returns The chroot and the session's settings.
 * @throws {ZooKeeperError} `BADARGUMENTS` for a bad option or connect string.
 */
export async function connectSettings(
  connectString: string,
  options: ZooKeeperOptions,
): Promise<ConnectSettings> {
  checkConnectOptions(options);
  const { hosts, chroot } = parseConnectString(connectString);
  const transport = options.transport ?? await defaultTransport();
  const order = hostOrder(hosts, options.keepHostOrder ?? false);
  return { chroot, session: sessionOptions(order, transport, options) };
}
