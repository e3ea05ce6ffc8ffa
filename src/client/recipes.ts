/**
 * Recipes over the client: creating a path with its parents, deleting a
 * subtree. The registry, the lock and the command line share these.
 *
 * @module
 */

import { ZooKeeperError } from "../protocol/errors.ts";
import type { ACL } from "../protocol/records_data.ts";
import type { ZooKeeper } from "./zookeeper.ts";
import { joinPath } from "../protocol/path.ts";

/** Options of {@linkcode ensurePath}. */
export interface EnsurePathOptions {
  /** ACL of the nodes created. */
  acl?: readonly ACL[] | undefined;
  /** Awaited before each request (a rate limiter). */
  before?: (() => Promise<void>) | undefined;
  /**
   * Creates the missing nodes as containers, which ZooKeeper deletes once
   * their last child is gone (Curator's `creatingParentContainersIfNeeded`).
   */
  container?: boolean | undefined;
}

/**
 * Creates `path` and each missing parent as empty persistent nodes (or
 * containers); nodes already there are left as they are.
 *
 * @param zk The client.
 * @param path The path to make.
 * @param options The ACL and a gate before each request.
 */
export async function ensurePath(
  zk: ZooKeeper,
  path: string,
  options: EnsurePathOptions = {},
): Promise<void> {
  if (path === "/") return;
  const mode = options.container ? "container" : "persistent";
  let at = 0;
  while (at >= 0) {
    at = path.indexOf("/", at + 1);
    const prefix = at < 0 ? path : path.slice(0, at);
    await options.before?.();
    await zk.create(prefix, undefined, { acl: options.acl, mode }).catch((error) => {
      if (!ZooKeeperError.is(error, "NODEEXISTS")) throw error;
    });
  }
}

/**
 * Deletes a subtree, deepest first. Children created while it runs are
 * deleted too (a few rounds at most); a node already gone counts as deleted.
 *
 * @param zk The client.
 * @param path The subtree's root.
 * @returns How many nodes it deleted.
 */
export async function deleteTree(zk: ZooKeeper, path: string): Promise<number> {
  for (let attempt = 0;; attempt++) {
    let count = 0;
    const names = await zk.getChildren(path);
    for (const name of names) {
      count += await deleteTree(zk, joinPath(path, name)).catch((error) => {
        if (ZooKeeperError.is(error, "NONODE")) return 0;
        throw error;
      });
    }
    try {
      await zk.delete(path);
      return count + 1;
    } catch (error) {
      if (!ZooKeeperError.is(error, "NOTEMPTY") || attempt >= 5) throw error;
    }
  }
}
