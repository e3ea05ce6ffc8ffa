/**
 * Watch re-registration after a reconnect: every watch the client holds is
 * sent again with SetWatches (or SetWatches2 when persistent watches exist)
 * and the last zxid seen, so the server fires at once for any change made
 * while the client was away.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/ClientCnxn.java
 * @module
 */

import type { JuteWriter } from "../jute/writer.ts";
import { OpCode } from "../protocol/constants.ts";
import { writeSetWatches, writeSetWatches2 } from "../protocol/records_session.ts";
import type { ControlRequest } from "../session/request_encoder.ts";
import { CONFIG_NODE, CONFIG_WATCH_KEY } from "./config.ts";
import type { Chroot } from "./chroot.ts";
import type { WatchKind } from "../util/client_metrics.ts";
import { WATCH_KINDS, type WatchRegistry } from "./watch_registry.ts";

/**
 * The most path bytes one SetWatches carries. A larger packet makes the server
 * drop the connection, and the client would reconnect into the same failure;
 * ClientCnxn uses the same 128 KB bound.
 */
export const SET_WATCHES_MAX_BYTES = 128 * 1024;

const utf8 = new TextEncoder();

/**
 * Builds the SetWatches requests for every watch held, in batches under
 * {@linkcode SET_WATCHES_MAX_BYTES}.
 *
 * @param watches The watches.
 * @param paths Adds the chroot to each path.
 * @param relativeZxid The last zxid the client saw.
 * @param maxBytes The batch bound.
 * @returns The requests, none when no watch is held.
 */
export function restoreWatchRequests(
  watches: WatchRegistry,
  paths: Chroot,
  relativeZxid: bigint,
  maxBytes: number = SET_WATCHES_MAX_BYTES,
): ControlRequest[] {
  if (watches.size === 0) return [];
  const persistent = watches.paths("persistent").length > 0 ||
    watches.paths("persistentRecursive").length > 0;
  const requests: ControlRequest[] = [];
  let batch = emptyBatch();
  let bytes = 0;
  const flush = () => {
    const b = batch;
    requests.push({
      opcode: persistent ? OpCode.setWatches2 : OpCode.setWatches,
      encode: persistent
        ? (w: JuteWriter) => writeSetWatches2(w, { relativeZxid, ...b })
        : (w: JuteWriter) => writeSetWatches(w, { relativeZxid, ...b }),
    });
    batch = emptyBatch();
    bytes = 0;
  };
  for (const kind of WATCH_KINDS) {
    for (const path of watches.paths(kind)) {
      // getConfig watches the config node outside the chroot.
      const serverPath = path === CONFIG_WATCH_KEY ? CONFIG_NODE : paths.prefix(path);
      const size = 4 + utf8.encode(serverPath).length;
      if (bytes > 0 && bytes + size > maxBytes) flush();
      batch[FIELDS[kind]].push(serverPath);
      bytes += size;
    }
  }
  if (bytes > 0) flush();
  return requests;
}

const FIELDS = {
  data: "dataWatches",
  exist: "existWatches",
  child: "childWatches",
  persistent: "persistentWatches",
  persistentRecursive: "persistentRecursiveWatches",
} as const satisfies Record<WatchKind, string>;

function emptyBatch() {
  return {
    dataWatches: [] as string[],
    existWatches: [] as string[],
    childWatches: [] as string[],
    persistentWatches: [] as string[],
    persistentRecursiveWatches: [] as string[],
  };
}
