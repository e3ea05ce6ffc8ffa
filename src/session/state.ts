/**
 * The states of a ZooKeeper connection, as a discriminated union.
 *
 * @module
 */

import type { KeeperStateName } from "../protocol/constants.ts";
import type { HostPort } from "./connect_string.ts";

/** Details of a live connection. */
export interface ConnectedDetails {
  /** The session id. */
  sessionId: bigint;
  /** The session timeout the server granted, in milliseconds. */
  timeout: number;
  /** The server this connection is to. */
  host: HostPort;
}

/**
 * A connection state:
 *
 * - `connecting`: the first connection is being made.
 * - `connected`: a session was established.
 * - `connectedReadOnly`: connected to a server that lost its quorum and serves
 *   reads only (with `readOnly: true`).
 * - `disconnected`: the connection was lost; the session may still be alive
 *   and the client is reconnecting to it.
 * - `reconnected`: connected again to the same session: its ephemeral nodes
 *   and watches are intact.
 * - `expired`: the session is gone, with its ephemeral nodes; the client is
 *   finished and a new one must be made.
 * - `authFailed`: the server refused the credentials; the client is finished.
 * - `closed`: `close()` was called.
 */
export type ConnectionState =
  | { type: "connecting" }
  | ({ type: "connected" } & ConnectedDetails)
  | ({ type: "connectedReadOnly" } & ConnectedDetails)
  | ({ type: "reconnected" } & ConnectedDetails)
  | { type: "disconnected"; error: Error }
  | { type: "expired" }
  | { type: "authFailed" }
  | { type: "closed" };

/** The `type` of a {@linkcode ConnectionState}. */
export type ConnectionStateType = ConnectionState["type"];

/**
 * The state a session enters once a connection's handshake (and login) is
 * done.
 *
 * @param readOnly Whether the server serves reads only.
 * @param resumed Whether the session is the one the client had before.
 * @param details The session and the server.
 * @returns `connectedReadOnly`, `reconnected` or `connected`.
 */
export function connectedState(
  readOnly: boolean,
  resumed: boolean,
  details: ConnectedDetails,
): ConnectionState {
  // Field by field rather than spread: a spread copy keeps its fields out
  // of the object, in a second allocation held as long as the state.
  const { sessionId, timeout, host } = details;
  return {
    type: readOnly ? "connectedReadOnly" : resumed ? "reconnected" : "connected",
    sessionId,
    timeout,
    host,
  };
}

const FINAL: ReadonlySet<ConnectionStateType> = new Set(["closed", "expired", "authFailed"]);

/**
 * Whether a state is the last of its session: `closed`, `expired` or
 * `authFailed`. Nothing follows it and every call fails.
 *
 * @param state The state.
 * @returns Whether it is final.
 */
export function isFinal(state: ConnectionState): boolean {
  return FINAL.has(state.type);
}

const CONNECTED: ReadonlySet<string> = new Set(["connected", "connectedReadOnly", "reconnected"]);

/**
 * Whether a state is a live connection: `connected`, `connectedReadOnly` or
 * `reconnected`. Takes any state with a `type`, so a registry's state (whose
 * `stopped` is not a connection) is read the same way.
 *
 * @param state The state.
 * @returns Whether it is a live connection.
 */
export function isConnected(state: { readonly type: string }): boolean {
  return CONNECTED.has(state.type);
}

/**
 * The error code of calls made in (or cut short by) a final state:
 * `SESSIONEXPIRED`, `AUTHFAILED`, otherwise `CLOSED`.
 *
 * @param state The state.
 * @returns The code.
 */
export function endCode(state: ConnectionState): "SESSIONEXPIRED" | "AUTHFAILED" | "CLOSED" {
  return state.type === "expired"
    ? "SESSIONEXPIRED"
    : state.type === "authFailed"
    ? "AUTHFAILED"
    : "CLOSED";
}

const KEEPER_STATES: Readonly<Record<ConnectionStateType, KeeperStateName>> = {
  connecting: "Disconnected",
  connected: "SyncConnected",
  reconnected: "SyncConnected",
  connectedReadOnly: "ConnectedReadOnly",
  disconnected: "Disconnected",
  expired: "Expired",
  authFailed: "AuthFailed",
  closed: "Closed",
};

/**
 * The `Watcher.Event.KeeperState` a watcher sees for a state, as the Java
 * client reports it in session events.
 *
 * @param state The state.
 * @returns The keeper state's name.
 */
export function keeperState(state: ConnectionState): KeeperStateName {
  return KEEPER_STATES[state.type];
}

/**
 * The end code of a session event's keeper state: what {@linkcode endCode}
 * says of the final state behind it, or `undefined` when the session goes on.
 *
 * @param state The keeper state of a `type: "None"` event.
 * @returns `SESSIONEXPIRED`, `AUTHFAILED`, `CLOSED`, or `undefined`.
 */
export function endOfKeeperState(
  state: KeeperStateName,
): "SESSIONEXPIRED" | "AUTHFAILED" | "CLOSED" | undefined {
  return FINAL_BY_KEEPER_STATE.get(state);
}

const FINAL_BY_KEEPER_STATE: ReadonlyMap<KeeperStateName, ReturnType<typeof endCode>> = new Map(
  [...FINAL].map((type) => {
    const state = { type } as ConnectionState;
    return [keeperState(state), endCode(state)];
  }),
);
