/**
 * The bottom layer: small helpers any layer may use, with no knowledge of
 * ZooKeeper.
 *
 * - `notify.ts`: call every listener, report what throws.
 * - `sleep.ts`: an abortable wait.
 *
 * @module
 */

export { notifyAll } from "./notify.ts";
export { sleep } from "./sleep.ts";
