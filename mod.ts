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

export { ZooKeeper, type ZooKeeperOptions } from "./src/client/mod.ts";
export {
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
} from "./src/client/mod.ts";
export type { WatchedEvent, Watcher } from "./src/client/mod.ts";
export { isTransient, retry, type RetryOptions } from "./src/client/mod.ts";
export type { AddWatchModeName, WatcherTypeName } from "./src/client/mod.ts";
export {
  CREATOR_ALL_ACL,
  digestACL,
  digestId,
  OPEN_ACL_UNSAFE,
  READ_ACL_UNSAFE,
} from "./src/client/mod.ts";
export {
  describeCode,
  MultiError,
  type MultiErrorResult,
  ZooKeeperError,
  type ZooKeeperErrorCode,
  type ZooKeeperErrorOptions,
} from "./src/protocol/mod.ts";
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
} from "./src/protocol/mod.ts";
export type { ACL, ClientInfo, Id, Stat } from "./src/protocol/mod.ts";
export type { ConnectedDetails, ConnectionState } from "./src/session/mod.ts";
export type { HostPort } from "./src/session/mod.ts";
export type {
  TlsOptions,
  Transport,
  TransportConnection,
  TransportConnectOptions,
  TransportHandlers,
} from "./src/transport/mod.ts";
export { defaultTransport } from "./src/transport/mod.ts";
export {
  type CloudflareConnect,
  type CloudflareSocket,
  cloudflareTransport,
} from "./src/transport/mod.ts";
