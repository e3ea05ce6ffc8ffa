/**
 * The bottom layer: small helpers any layer may use, with no knowledge of
 * ZooKeeper.
 *
 * - `notify.ts`: call every listener, report what throws.
 * - `sleep.ts`: an abortable wait.
 * - `type_name.ts`: what a refused value is, for messages.
 *
 * @module
 */

export { notifyAll } from "./notify.ts";
export { sleep } from "./sleep.ts";
export { typeName } from "./type_name.ts";
