/**
 * Znode paths: the client-side checks, the same rules as ZooKeeper's
 * `PathUtils.validatePath`, so a bad path fails before anything is sent; and
 * joining and splitting paths.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/common/PathUtils.java
 * @module
 */

import { typeName } from "../util/type_name.ts";
import { ZooKeeperError } from "./errors.ts";

function invalid(path: string, reason: string): ZooKeeperError {
  return new ZooKeeperError(
    "BADARGUMENTS",
    `Invalid path "${path}": ${reason}`,
    { path },
  );
}

/**
 * Why `path` is not a valid znode path, or `undefined` when it is.
 *
 * @param path The path to check.
 * @param sequential A sequential create may end in `/`: the server appends the
 *   sequence number.
 * @returns The reason, or `undefined`.
 */
export function pathProblem(
  path: string,
  sequential = false,
): string | undefined {
  if (typeof path !== "string") return "not a string";
  if (path.length === 0) return "empty";
  if (path.charCodeAt(0) !== 0x2f) return "must start with /";
  if (path.length === 1) return undefined;
  if (path.charCodeAt(path.length - 1) === 0x2f && !sequential) {
    return "must not end with /";
  }
  let segmentStart = 1;
  for (let i = 1; i <= path.length; i++) {
    const c = i < path.length ? path.charCodeAt(i) : 0x2f;
    if (c === 0x2f) {
      if (i === path.length && sequential) break;
      // Measured in place: a valid path makes no substring.
      const length = i - segmentStart;
      if (length === 0) return `empty node name at index ${i}`;
      if (
        length <= 2 && path.charCodeAt(segmentStart) === 0x2e &&
        (length === 1 || path.charCodeAt(segmentStart + 1) === 0x2e)
      ) {
        return `relative node name "${path.slice(segmentStart, i)}"`;
      }
      segmentStart = i + 1;
      continue;
    }
    if (c === 0) return `null character at index ${i}`;
    if (
      (c > 0x00 && c <= 0x1f) || (c >= 0x7f && c <= 0x9f) ||
      (c >= 0xd800 && c <= 0xf8ff) || (c >= 0xfff0 && c <= 0xffff)
    ) {
      return `invalid character \\u${c.toString(16).padStart(4, "0")} at index ${i}`;
    }
  }
  return undefined;
}

/**
 * Checks a znode path.
 *
 * @param path The path to check.
 * @param sequential Whether it names a sequential create (a trailing `/` is allowed).
 * @returns The path.
 * @throws {ZooKeeperError} With code `BADARGUMENTS` when the path is invalid.
 */
export function validatePath(path: string, sequential = false): string {
  if (typeof path !== "string") {
    throw new ZooKeeperError(
      "BADARGUMENTS",
      `Invalid path: path must be a string, not ${typeName(path)}`,
    );
  }
  const problem = pathProblem(path, sequential);
  if (problem !== undefined) throw invalid(path, problem);
  return path;
}

/**
 * The path of child `name` of `parent`.
 *
 * @param parent The parent's path.
 * @param name The child's name.
 * @returns The child's path.
 */
export function joinPath(parent: string, name: string): string {
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
}

/**
 * The parent of a path (`"/"` for `"/"` and for top-level nodes).
 *
 * @param path A valid path.
 * @returns Its parent's path.
 */
export function parentPath(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/**
 * The last segment of a path (`""` for `"/"`).
 *
 * @param path A valid path.
 * @returns Its name.
 */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
