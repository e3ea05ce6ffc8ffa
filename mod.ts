/**
 * A ZooKeeper client written from scratch in TypeScript, with no dependencies,
 * for Deno, Node, Bun and edge runtimes.
 *
 * @example Create, watch, change
 * ```ts ignore
 * import { ZooKeeper } from "@nd/service-registry";
 * await using zk = await ZooKeeper.connect("127.0.0.1:2181", { sessionTimeout: 10_000 });
 * await zk.create("/app", "hello");
 * const { data } = await zk.getData("/app", { watch: (e) => console.log(e.type, e.path) });
 * await zk.setData("/app", "world");
 * ```
 *
 * @module
 */

export { ZooKeeper, type ZooKeeperOptions } from "./src/client/zookeeper.ts";
export {
  type CloseOptions,
  type DrainOptions,
  type HealthCheck,
  type RegistrationStateName,
  type RegistrationStatus,
  Registry,
  type RegistryOptions,
  type RegistryState,
  type SetNodeOptions,
} from "./src/registry/registry.ts";
export type { LookupOptions, NodeSnapshot } from "./src/registry/snapshot.ts";
export type { JsonValue, NodeValue } from "./src/registry/node_data.ts";
export type { RateLimit } from "./src/registry/rate_limiter.ts";
export { Lock, type LockOptions } from "./src/registry/lock.ts";
export {
  type ProviderOptions,
  type ProviderStrategy,
  type RegisterOptions,
  ServiceDiscovery,
  type ServiceInstance,
  ServiceProvider,
  toInstance,
} from "./src/registry/discovery.ts";
export type {
  CreateOptions,
  Data,
  DataResult,
  Op,
  OpResult,
  ReadOp,
  ReadResult,
  VersionOptions,
  WatchOptions,
} from "./src/client/types.ts";
export type { WatchedEvent, Watcher } from "./src/client/watches.ts";
export { isTransient, retry, type RetryOptions } from "./src/client/retry.ts";
export type { AddWatchModeName, WatcherTypeName } from "./src/client/watch_manager.ts";
export {
  CREATOR_ALL_ACL,
  digestACL,
  digestId,
  OPEN_ACL_UNSAFE,
  READ_ACL_UNSAFE,
} from "./src/client/acl.ts";
export {
  describeCode,
  MultiError,
  type MultiErrorResult,
  ZooKeeperError,
  type ZooKeeperErrorCode,
  type ZooKeeperErrorOptions,
} from "./src/errors.ts";
export {
  CreateMode,
  type CreateModeName,
  ErrorCode,
  type ErrorCodeName,
  EventType,
  type EventTypeName,
  KeeperState,
  type KeeperStateName,
  Perms,
} from "./src/protocol/constants.ts";
export type { ACL, ClientInfo, Id, Stat } from "./src/protocol/records_data.ts";
export type { ConnectedDetails, ConnectionState } from "./src/session/state.ts";
export type { HostPort } from "./src/session/connect_string.ts";
export type {
  TlsOptions,
  Transport,
  TransportConnection,
  TransportConnectOptions,
  TransportHandlers,
} from "./src/transport/transport.ts";
export { defaultTransport } from "./src/transport/select.ts";
export {
  type CloudflareConnect,
  type CloudflareSocket,
  cloudflareTransport,
} from "./src/transport/cloudflare.ts";
