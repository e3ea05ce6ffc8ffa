/**
 * The wire protocol, client side: the records of `zookeeper.jute` (writing
 * requests, reading replies), the constants, framing, path rules and the
 * errors. Pure: no I/O, no timers. The server's halves of the records live
 * with the tests.
 *
 * - `constants.ts`: opcodes, xids, error codes, event types, states, modes.
 * - `errors.ts`: `ZooKeeperError` and `MultiError`.
 * - `framing.ts`: cutting length-prefixed frames out of a byte stream.
 * - `path.ts`: what makes a valid znode path.
 * - `records_data.ts`, `records_ops.ts`, `records_session.ts`, `records_admin.ts`:
 *   the records.
 * - `multi.ts`: multi requests and responses.
 *
 * @module
 */

export * from "./constants.ts";
export * from "./errors.ts";
export { FrameDecoder } from "./framing.ts";
export { pathProblem, validatePath } from "./path.ts";
export * from "./records_data.ts";
export * from "./records_ops.ts";
export * from "./records_session.ts";
export * from "./records_admin.ts";
export * from "./multi.ts";
