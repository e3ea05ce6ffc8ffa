/**
 * One session over a succession of connections. `session.ts` is the state
 * machine; the parts it drives are each testable alone.
 *
 * - `session.ts`: submit, close and the transitions between states.
 * - `session_identity.ts`: the session id, password, last zxid and timeout.
 * - `connect_attempt.ts`: one connection, its handshake, what goes first on it.
 * - `reply_router.ts`: where each frame from the server goes.
 * - `request_frame.ts`, `pending_request.ts`: a request refused or queued.
 * - `session_expiry.ts`, `close_wait.ts`: the expiry timer, the waits of close.
 * - `state.ts`: the connection states and what each means.
 * - `request_encoder.ts`: a request as a value, and its encoding into a frame.
 * - `connection.ts`: one socket: handshake, write batching, heartbeat.
 * - `request_queue.ts`: xids, the awaiting-reply and offline queues.
 * - `auth_book.ts`: credentials, replayed on every reconnect.
 * - `sasl.ts`, `digest_md5.ts`, `sasl_step.ts`: the SASL login of every
 *   connection, and the step that runs it before anything else goes out.
 * - `rebalance.ts`: moving to another server when the server list changes.
 * - `host_ring.ts`: the servers, round and round.
 * - `reconnect_pacing.ts`: when to try the next server, and when all refused.
 * - `read_write_search.ts`, `probe.ts`: finding a read-write server.
 * - `heartbeat.ts`, `clock.ts`, `deque.ts`, `connect_string.ts`: the small parts.
 *
 * @module
 */

export { Session, type SessionListener, type SessionOptions } from "./session.ts";
export {
  type ConnectedDetails,
  type ConnectionState,
  type ConnectionStateType,
  endCode,
  endOfKeeperState,
  isConnected,
  isFinal,
  keeperState,
} from "./state.ts";
export { type ControlRequest, type Request } from "./request_encoder.ts";
export type { SaslOptions } from "./sasl.ts";
export { type Clock, systemClock, type TimerHandle } from "./clock.ts";
export {
  type ConnectString,
  DEFAULT_PORT,
  type HostPort,
  parseConnectString,
} from "./connect_string.ts";
