/**
 * Finding what a test server needs: a Java runtime and ZooKeeper's jars, from
 * Debian's package (`/usr/share/java`), an unpacked Apache release, or jars
 * named one by one.
 *
 * @module
 */

import { existsSync, readdirSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import process from "node:process";

/** Where a server's Java and ZooKeeper come from. */
export interface InstallOptions {
  /**
   * ZooKeeper's install directory: an unpacked Apache release (its jars are in
   * `lib/`) or a directory holding `zookeeper.jar` and its dependencies, as
   * Debian's `/usr/share/java` does.
   *
   * @default {$ZOOKEEPER_HOME, else "/usr/share/java"}
   */
  zooKeeperHome?: string | undefined;
  /** The jars to run, instead of looking in `zooKeeperHome`. */
  classpath?: readonly string[] | undefined;
  /** The `java` executable. @default {$JAVA_HOME/bin/java, else `java` on the PATH} */
  java?: string | undefined;
}

/** What a server is started with: the `java` executable and the classpath. */
export interface Install {
  /** The `java` executable. */
  java: string;
  /** The jars, joined by the platform's path delimiter. */
  classpath: string;
}

const HOW_TO_INSTALL =
  "install it (`apt-get install zookeeper` on Debian and Ubuntu, or unpack a release from " +
  "https://zookeeper.apache.org/releases.html) and pass its directory as `zooKeeperHome` " +
  "or in $ZOOKEEPER_HOME";

/**
 * No ZooKeeper jars where a test server looked for them.
 *
 * @example Telling the user how to install ZooKeeper
 * ```ts ignore
 * import { TestingServer, ZooKeeperNotFoundError } from "@nd/service-registry/testing";
 * try {
 *   await using server = await TestingServer.start();
 * } catch (error) {
 *   if (error instanceof ZooKeeperNotFoundError) console.error(error.message);
 *   else throw error;
 * }
 * ```
 */
export class ZooKeeperNotFoundError extends Error {
  /** The directory searched, when one was. */
  readonly searched: string | undefined;

  /**
   * An error saying what was not found and how to install it.
   *
   * @param message What was missing and how to install it.
   * @param searched The directory searched.
   */
  constructor(message: string, searched?: string) {
    super(message);
    this.name = "ZooKeeperNotFoundError";
    this.searched = searched;
  }
}

/**
 * No Java runtime to run a test server with.
 *
 * @example Telling a missing Java apart
 * ```ts ignore
 * import { JavaNotFoundError, TestingServer } from "@nd/service-registry/testing";
 * await TestingServer.start({ java: "/opt/jdk/bin/java" }).catch((error) => {
 *   if (error instanceof JavaNotFoundError) console.error(error.message);
 * });
 * ```
 */
export class JavaNotFoundError extends Error {
  /** The executable looked for. */
  readonly java: string;

  /**
   * An error naming the executable and how to install Java.
   *
   * @param java The executable looked for.
   */
  constructor(java: string) {
    super(
      `Cannot start ZooKeeper: no Java runtime ("${java}" not found); install one ` +
        "(`apt-get install zookeeper` brings it on Debian and Ubuntu, or `apt-get install " +
        "default-jre-headless`), or pass its path as `java` or in $JAVA_HOME",
    );
    this.name = "JavaNotFoundError";
    this.java = java;
  }
}

const DEBIAN_JARS = "/usr/share/java";

// Debian's /usr/share/java holds every Java package's jars: take only what the
// server loads (see the classpath of /usr/share/zookeeper/bin/zkEnv.sh).
const SERVER_JARS =
  /^(zookeeper|zookeeper-jute|slf4j-api|slf4j-simple|metrics-core|snappy-java|commons-cli|commons-io|jline|netty-[a-z-]+)\.jar$/;

function jarsIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith(".jar")).sort().map((f) => join(dir, f));
  } catch {
    return [];
  }
}

function isZooKeeperJar(path: string): boolean {
  return /(^|[/\\])zookeeper(-\d[^/\\]*)?\.jar$/.test(path);
}

function classpathOf(home: string): string[] {
  const lib = join(home, "lib");
  if (existsSync(lib)) {
    // An Apache release: everything in lib/, plus the server jar if it sits on top.
    return [...jarsIn(home).filter(isZooKeeperJar), ...jarsIn(lib)];
  }
  return jarsIn(home).filter((path) => {
    const name = path.slice(home.length + 1);
    return SERVER_JARS.test(name) && !name.includes("native-macos");
  });
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findJava(wanted: string | undefined): string {
  const env = process.env;
  const java = wanted ?? (env.JAVA_HOME ? join(env.JAVA_HOME, "bin", "java") : "java");
  if (java.includes("/") || java.includes("\\")) {
    if (isFile(java)) return java;
    throw new JavaNotFoundError(java);
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir !== "" && isFile(join(dir, java))) return join(dir, java);
  }
  throw new JavaNotFoundError(java);
}

/**
 * Finds Java and ZooKeeper's jars, without starting anything.
 *
 * @example Checking an install before starting servers
 * ```ts ignore
 * import { findInstall } from "@nd/service-registry/testing";
 * const { java, classpath } = findInstall({ zooKeeperHome: "/opt/zookeeper" });
 * console.log(java, classpath.split(":").length, "jars");
 * ```
 *
 * @param options Where to look.
 * @returns The `java` executable and the classpath.
 * @throws {ZooKeeperNotFoundError} When no ZooKeeper jar is found, saying how to install one.
 * @throws {JavaNotFoundError} When no Java runtime is found.
 */
export function findInstall(options: InstallOptions = {}): Install {
  let jars: string[];
  if (options.classpath !== undefined) {
    const missing = options.classpath.find((jar) => !isFile(jar));
    if (missing !== undefined || options.classpath.length === 0) {
      throw new ZooKeeperNotFoundError(
        `Cannot start ZooKeeper: ${
          missing === undefined ? "the classpath is empty" : `no jar at "${missing}"`
        }; ${HOW_TO_INSTALL}`,
      );
    }
    jars = [...options.classpath];
  } else {
    const home = options.zooKeeperHome ?? process.env.ZOOKEEPER_HOME ?? DEBIAN_JARS;
    jars = classpathOf(home);
    if (!jars.some(isZooKeeperJar)) {
      throw new ZooKeeperNotFoundError(
        `Cannot start ZooKeeper: no ZooKeeper jar in "${home}"; ${HOW_TO_INSTALL}`,
        home,
      );
    }
  }
  return { java: findJava(options.java), classpath: jars.join(delimiter) };
}
