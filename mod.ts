/**
 * A ZooKeeper client written from scratch in TypeScript, with no dependencies,
 * for Deno, Node, Bun and edge runtimes.
 *
 * @example Create, watch, change (against a test server of `@nd/service-registry/testing`)
 * ```ts
 * import { ZooKeeper } from "@nd/service-registry";
 * import { TestingServer } from "@nd/service-registry/testing";
 *
 * await using server = await TestingServer.start();
 * await using zk = await ZooKeeper.connect(server.connectString, { sessionTimeout: 10_000 });
 * await zk.create("/app", "hello");
 * const changed = Promise.withResolvers<string>();
 * const { data } = await zk.getData("/app", { watch: (e) => changed.resolve(e.type) });
 * console.log(new TextDecoder().decode(data)); // hello
 * await zk.setData("/app", "world");
 * console.log(await changed.promise); // NodeDataChanged
 * ```
 *
 * @example The registry: register a service, discover it
 * ```ts
 * import { Registry } from "@nd/service-registry";
 * import { TestingServer } from "@nd/service-registry/testing";
 *
 * await using server = await TestingServer.start();
 * const registry = await Registry.connect({ servers: server.connectString });
 * await registry.setNode("/services/web/host1:8080", { weight: 1 }); // ephemeral
 * const { children } = await registry.get("/services/web");
 * console.log(Object.keys(children)); // [ "host1:8080" ]
 * await registry.close();
 * ```
 *
 * @module
 */

export { ZooKeeper, ZooKeeperCore, type ZooKeeperOptions } from "./src/client/mod.ts";
export type { ClientMetricsRecorder, WatchKind } from "./src/util/client_metrics.ts";
export * from "./src/registry/mod.ts";
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
} from "./src/client/mod.ts";
export type { WatchedEvent, Watcher, WatchReconnected, WatchStreamItem } from "./src/client/mod.ts";
export { isConnectionLoss, isTransient, retry, type RetryOptions } from "./src/client/mod.ts";
export type { AddWatchModeName, WatcherTypeName } from "./src/client/mod.ts";
export {
  CREATOR_ALL_ACL,
  digestACL,
  digestId,
  OPEN_ACL_UNSAFE,
  READ_ACL_UNSAFE,
  saslACL,
} from "./src/client/mod.ts";
export type {
  EnsembleConfig,
  QuorumAddress,
  ReconfigOptions,
  ServerConfig,
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
export { type Clock, systemClock, type TimerHandle } from "./src/session/mod.ts";
export type { HostPort, SaslOptions } from "./src/session/mod.ts";
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
