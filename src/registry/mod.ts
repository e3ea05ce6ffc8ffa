/**
 * The service registry over the client: the `Registry` (a front over the
 * connection supervisor, the registrations and the lookups), Curator-style
 * discovery, locks, and the serverset and Nerve formats.
 *
 * - `registry.ts`: the `Registry`; `options.ts` its settings;
 *   `registry_parts.ts` the parts it is a front over, wired together, and
 *   their life (connecting, pausing, draining, closing); `registry_locks.ts`
 *   the locks it hands out and keeps.
 * - `supervisor.ts`: one session at a time, made again after an expiry.
 * - `registrations.ts`, `repair.ts`, `health.ts`: the nodes it registers, each
 *   kept in place, and their health checks.
 * - `lookups.ts`, `path_cache.ts`, `cache_reader.ts`, `cache_state.ts`,
 *   `cache_file.ts`, `backoff.ts`, `barriers.ts`: lookups kept current by
 *   watches (a path's events and snapshots, its reads), their retries, the
 *   transaction barriers they share, and the last good copy on disk;
 *   `child_tree.ts` and `change_log.ts`: the children as a persistent tree,
 *   and what changed between two snapshots;
 *   `read_once.ts`: a read that follows nothing.
 * - `snapshot.ts`, `node_data.ts`, `formats.ts`: what a lookup returns, how
 *   znode data is read and written, the serverset and Nerve formats.
 * - `discovery.ts`: service discovery as Apache Curator has it;
 *   `service_instance.ts` its instances in Curator's format and how other
 *   nodes read as instances; `service_provider.ts` the provider's strategies,
 *   filters and down-instance policy.
 * - `lock.ts`: the lock and semaphore recipe.
 * - `rate_limiter.ts`: spacing of calls to ZooKeeper.
 *
 * @module
 */

export {
  type CloseOptions,
  type DrainOptions,
  type HealthCheck,
  type NodeFormat,
  type RegistrationStateName,
  type RegistrationStatus,
  Registry,
  type RegistryOptions,
  type RegistryState,
  type SetNodeOptions,
} from "./registry.ts";
export type {
  LookupOptions,
  NodeSnapshot,
  NodeStat,
  SnapshotChange,
  SnapshotListener,
} from "./snapshot.ts";
export type { JsonValue, NodeValue, RegistrationData } from "./node_data.ts";
export type { RateLimit } from "./rate_limiter.ts";
export { Lock, type LockOptions } from "./lock.ts";
export { type RegisterOptions, ServiceDiscovery } from "./discovery.ts";
export { type ServiceInstance, toInstance } from "./service_instance.ts";
export {
  type ProviderOptions,
  type ProviderStrategy,
  ServiceProvider,
} from "./service_provider.ts";
