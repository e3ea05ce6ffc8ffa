/**
 * The builders of the watch requests (addWatch, removeWatches), and the hook by which a reply registers a watch: each turns validated arguments (the user's path and the server's
 * path, with the chroot) into a {@linkcode Request} with its opcode, body
 * and reply reader, as `zookeeper.jute` pairs them.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-jute/src/main/resources/zookeeper.jute
 * @module
 */

import { AddWatchMode, ErrorCode, OpCode } from "../protocol/constants.ts";
import { writeAddWatchRequest, writeWatchTypeRequest } from "../protocol/records_ops.ts";
import type { Request } from "../session/request_encoder.ts";
import { typeName } from "../util/type_name.ts";
import { badArgument, type Subject } from "./arguments.ts";

/** Called with a reply's error code before its promise settles. */
export type OnReply = ((err: number) => void) | undefined;

/**
 * Checks the mode and the listener of `addWatch`.
 *
 * @param subject The call.
 * @param mode `"persistent"` or `"persistentRecursive"`.
 * @param listener A function.
 * @returns The mode's `AddWatchMode` value.
 * @throws {ZooKeeperError} `BADARGUMENTS` for anything else.
 */
export function checkAddWatch(subject: Subject, mode: unknown, listener: unknown): number {
  if (typeof mode !== "string" || !Object.hasOwn(AddWatchMode, mode)) {
    throw badArgument(
      subject,
      `mode must be "persistent" or "persistentRecursive", not ${typeName(mode)}`,
    );
  }
  if (typeof listener !== "function") {
    throw badArgument(subject, `listener must be a function, not ${typeName(listener)}`);
  }
  return AddWatchMode[mode as keyof typeof AddWatchMode];
}

/**
 * addWatch.
 *
 * @param path The user's path.
 * @param serverPath The path on the server.
 * @param mode `AddWatchMode` value.
 * @param onReply Registers the watch.
 * @returns The request.
 */
export function addWatchRequest(
  path: string,
  serverPath: string,
  mode: number,
  onReply: OnReply,
): Request<void> {
  return {
    opcode: OpCode.addWatch,
    verb: "watch",
    path,
    encode: (w) => writeAddWatchRequest(w, { path: serverPath, mode }),
    onReply,
  };
}

/**
 * removeWatches.
 *
 * @param path The user's path.
 * @param serverPath The path on the server.
 * @param type `WatcherType` value.
 * @param onRemoved Called as the server's answer is read, when it removed
 *   the watches (or had none left to remove).
 * @returns The request.
 */
export function removeWatchesRequest(
  path: string,
  serverPath: string,
  type: number,
  onRemoved: () => void,
): Request<void> {
  return {
    opcode: OpCode.removeWatches,
    verb: "remove watches on",
    path,
    encode: (w) => writeWatchTypeRequest(w, { path: serverPath, type }),
    // A one-shot watch the server fired meanwhile is gone all the same.
    onReply: (err) => {
      if (err === ErrorCode.OK || err === ErrorCode.NOWATCHER) onRemoved();
    },
  };
}
