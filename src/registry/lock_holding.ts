/**
 * How a held lock hears of its loss: a watch on its node (deleted: lost),
 * set again whenever it fires or a connection returns without it, and the
 * session's end. A watch that cannot be set for any other reason is a loss
 * that cannot be ruled out, and is reported as one.
 *
 * @module
 */

import { isInterrupted } from "../client/retry.ts";
import type { Watcher } from "../client/watch_registry.ts";
import type { ZooKeeper } from "../client/zookeeper.ts";
import { ZooKeeperError, type ZooKeeperErrorCode } from "../protocol/errors.ts";
import { endCode, isFinal } from "../session/state.ts";

/** What {@linkcode watchHolding} tells its lock. */
export interface HoldingEvents {
  /** Removes a watch it no longer needs. */
  unwatch(path: string, watcher: Watcher): void;
  /** Watching stopped (released, or lost). */
  stopped(): void;
  /** The lock was lost, once: why, as an error code and a phrase. */
  lost(code: ZooKeeperErrorCode, why: string, cause?: unknown): void;
}

/** A held lock being watched; `stop()` ends the watching, without a loss. */
export interface Holding {
  /** Stops watching. */
  stop(): void;
}

/**
 * Watches a held lock's node until `stop()` or its loss.
 *
 * @param zk The lock's client.
 * @param node The path of the lock's node.
 * @param events Told of the loss, and of the end of watching.
 * @returns The watching, to stop.
 */
export function watchHolding(zk: ZooKeeper, node: string, events: HoldingEvents): Holding {
  let stopped = false;
  const holding = {
    stop: () => {
      stopped = true;
      unsubscribe();
      events.stopped();
    },
  };
  const lose = (code: ZooKeeperErrorCode, why: string, cause?: unknown) => {
    if (stopped) return;
    holding.stop();
    events.lost(code, why, cause);
  };
  const watcher: Watcher = (event) => {
    if (event.type === "NodeDeleted") lose("NONODE", "its node was deleted");
    else if (event.type !== "None" && !stopped) arm();
  };
  // A watch lost with the connection is set again as soon as there is one.
  let unarmed = false;
  const arm = (): void => {
    unarmed = false;
    zk.exists(node, { watch: watcher }).then((stat) => {
      if (stat !== null) return;
      events.unwatch(node, watcher);
      lose("NONODE", "its node was deleted");
    }, (error) => {
      if (stopped || isFinal(zk.state)) return;
      if (!isInterrupted(error)) {
        return lose(
          ZooKeeperError.is(error) ? error.code : "SYSTEMERROR",
          `cannot watch its node: ${(error as Error).message}`,
          error,
        );
      }
      unarmed = true;
      if (zk.connected) arm();
    });
  };
  const unsubscribe = zk.onStateChange((state) => {
    if (isFinal(state)) lose(endCode(state), `session ${state.type}`);
    else if (unarmed && zk.connected) arm();
  });
  arm();
  return holding;
}
