/**
 * A lookup that follows nothing: the node, its children and their data read
 * once, with no watch left on the server (a command-line `get`, a health
 * page).
 *
 * @module
 */

import { isInterrupted } from "../client/retry.ts";
import { joinPath } from "../protocol/path.ts";
import type { ZooKeeper } from "../client/zookeeper.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import { decodeNodeData, type NodeValue } from "./node_data.ts";
import { childRecord, emptySnapshot, type Gate, type NodeSnapshot, nodeStat } from "./snapshot.ts";

/**
 * Reads a path once, without watches.
 *
 * @param zk The client.
 * @param path A valid path.
 * @param childData Whether to read the children's data (else names only).
 * @param gate Awaited before each request.
 * @returns The snapshot; a child the registry may not read is `null` with
 *   its error in `errors`, one deleted meanwhile is left out.
 * @throws {ZooKeeperError} The errors of the node's read and listing, other
 *   than `NONODE`.
 */
export async function readOnce(
  zk: ZooKeeper,
  path: string,
  childData: boolean,
  gate: Gate,
): Promise<NodeSnapshot> {
  const missing = (error: unknown) => {
    if (ZooKeeperError.is(error, "NONODE")) return undefined;
    throw error;
  };
  const [node, names] = await Promise.all([
    gate().then(() => zk.getData(path)).catch(missing),
    gate().then(() => zk.getChildren(path)).catch(missing),
  ]);
  if (node === undefined || names === undefined) return emptySnapshot(path);
  names.sort();
  const errors = childRecord<Error>();
  const values = await Promise.all(names.map(async (name): Promise<NodeValue | undefined> => {
    if (!childData) return null;
    try {
      await gate();
      return decodeNodeData((await zk.getData(joinPath(path, name))).data);
    } catch (error) {
      if (ZooKeeperError.is(error, "NONODE")) return undefined;
      if (!ZooKeeperError.is(error) || isInterrupted(error)) throw error;
      errors[name] = error;
      return null;
    }
  }));
  const children = childRecord<NodeValue>();
  names.forEach((name, i) => {
    const value = values[i];
    if (value !== undefined) children[name] = value;
  });
  const snapshot: NodeSnapshot = {
    path,
    data: decodeNodeData(node.data),
    stat: nodeStat(node.stat, Object.keys(children).length),
    children,
    stale: false,
  };
  if (Object.keys(errors).length > 0) snapshot.errors = errors;
  return snapshot;
}
