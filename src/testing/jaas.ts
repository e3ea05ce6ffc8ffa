/**
 * SASL on a test server: a JAAS file whose `Server` section lists DIGEST-MD5
 * users (`DigestLoginModule`), and the settings that make the server use it.
 *
 * @see https://zookeeper.apache.org/doc/current/zookeeperProgrammers.html#sc_ZooKeeperAccessControl
 * @module
 */

import { writeFile } from "node:fs/promises";
import { join } from "node:path";

/** What a server needs for SASL: JVM flags and zoo.cfg lines. */
export interface SaslSetup {
  /** `-Djava.security.auth.login.config=...`. */
  flags: string[];
  /** `authProvider.1=...SASLAuthenticationProvider`. */
  config: Record<string, string>;
}

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * Writes `jaas.conf` into a server's directory with a `Server` section that
 * accepts the given DIGEST-MD5 users.
 *
 * @param dir The server's directory.
 * @param users Passwords by user name.
 * @returns The flags and config lines that enable it.
 */
export async function writeJaas(dir: string, users: Record<string, string>): Promise<SaslSetup> {
  const entries = Object.entries(users).map(([user, password]) =>
    `  user_${user}=${quote(password)}`
  );
  const file = join(dir, "jaas.conf");
  const text = [
    "Server {",
    "  org.apache.zookeeper.server.auth.DigestLoginModule required",
    `${entries.join("\n")};`,
    "};",
    "",
  ].join("\n");
  await writeFile(file, text);
  return {
    flags: [`-Djava.security.auth.login.config=${file}`],
    config: { "authProvider.1": "org.apache.zookeeper.server.auth.SASLAuthenticationProvider" },
  };
}
