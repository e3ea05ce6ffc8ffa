/**
 * What `Registry.registration()` reports about a registration.
 *
 * @module
 */

/**
 * Where a registration stands:
 * - `pending`: wanted, waiting for a session (or for its first health check);
 * - `registered`: the node is in place with the registration's data;
 * - `removed`: not wanted now (`state: false`, drained or closed);
 * - `unhealthy`: its health check fails, so the node is removed;
 * - `held`: another live session holds the node; the registry creates it as
 *   soon as that session's node goes;
 * - `conflict`: someone kept rewriting the node's data and the registry gave
 *   up after a few rounds; `setNode` again takes it back.
 */
export type RegistrationStateName =
  | "pending"
  | "registered"
  | "removed"
  | "unhealthy"
  | "held"
  | "conflict";

/** What {@linkcode Registry.registration} reports about one registration. */
export interface RegistrationStatus {
  /** The registered path. */
  path: string;
  /** Where it stands. */
  state: RegistrationStateName;
  /** Whether the node is ephemeral. */
  ephemeral: boolean;
  /** The health check's verdict; `undefined` without a check or before its first result. */
  healthy: boolean | undefined;
  /** With `held`: the session that holds the node. */
  owner?: bigint | undefined;
}
