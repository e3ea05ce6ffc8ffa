/**
 * The client: `ZooKeeper` with every operation as a method, watches, and the
 * helpers built on it.
 *
 * - `zookeeper.ts`: the `ZooKeeper` class: connecting and the operations on
 *   nodes; each method validates and submits.
 * - `zookeeper_core.ts`: what it extends: the session's state, credentials and
 *   servers, the ensemble's config, persistent watches, closing.
 * - `client_parts.ts`: a client's session, watches, state listeners and call
 *   gate, wired together.
 * - `create_args.ts`: a create's arguments checked, for create and multi.
 * - `call_gate.ts`: the checks, refusals and deadline every call goes through.
 * - `connect_settings.ts`: the connect string and options made into a session's settings.
 * - `read_requests.ts`, `write_requests.ts`, `watch_requests.ts`: one request
 *   builder per operation.
 * - `create_mode.ts`: what each create mode means.
 * - `multi.ts`: transactions to and from wire records.
 * - `watch_manager.ts`, `watch_registry.ts`, `watch_restore.ts`: watches,
 *   their registry and their restoration after a reconnect.
 * - `state_stream.ts`, `options.ts`: connecting, the state stream, the settings.
 * - `recipes.ts`: create-with-parents, subtree deletion (path joining is in
 *   `protocol/path.ts`).
 * - `config.ts`, `reconfig.ts`: the ensemble's config, reconfig, following it.
 * - `chroot.ts`: user paths to server paths under a chroot, and back.
 * - `acl.ts`, `retry.ts`, `types.ts`, `async_queue.ts`: the rest.
 *
 * @module
 */

export { ZooKeeper } from "./zookeeper.ts";
export { ZooKeeperCore } from "./zookeeper_core.ts";
export type { ZooKeeperOptions } from "./options.ts";
export type {
  CallOptions,
  CreateOptions,
  Data,
  DataResult,
  Op,
  OpResult,
  ReadOp,
  ReadResult,
  VersionOptions,
  WatchOptions,
} from "./types.ts";
export type { WatchedEvent, Watcher, WatchReconnected, WatchStreamItem } from "./watch_registry.ts";
export type { AddWatchModeName, WatcherTypeName } from "./watch_manager.ts";
export { isConnectionLoss, isTransient, retry, type RetryOptions } from "./retry.ts";
export {
  CREATOR_ALL_ACL,
  digestACL,
  digestId,
  OPEN_ACL_UNSAFE,
  READ_ACL_UNSAFE,
  saslACL,
} from "./acl.ts";
export {
  clientHosts,
  CONFIG_NODE,
  type EnsembleConfig,
  parseConfig,
  type QuorumAddress,
  type ServerConfig,
} from "./config.ts";
export type { ReconfigOptions } from "./reconfig.ts";
export { deleteTree, ensurePath, type EnsurePathOptions } from "./recipes.ts";
export { baseName, joinPath, parentPath } from "../protocol/path.ts";
export { createModeOf, type CreateModeSpec } from "./create_mode.ts";
