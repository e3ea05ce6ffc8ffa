/**
 * The test servers of `@nd/service-registry/testing` under the names the
 * tests use.
 *
 * @module
 */

import {
  type TestingCluster,
  type TestingClusterOptions,
  TestingServer,
  type TestingServerOptions,
} from "../../src/testing/mod.ts";

export { freePort } from "../../src/testing/mod.ts";

/** One running (or stopped) server. */
export type ZkServer = TestingServer;
/** Settings of the servers. */
export type ZkServerOptions = TestingServerOptions;
/** Settings of an ensemble's servers, and the ensemble's own. */
export type ZkEnsembleOptions = Omit<TestingClusterOptions, "size">;
/** A running ensemble. */
export type ZkEnsemble = TestingCluster;

/** Starts a standalone server on a free loopback port. */
export function startZooKeeper(options: ZkServerOptions = {}): Promise<ZkServer> {
  return TestingServer.start(options);
}
