/**
 * The bottom layer: small helpers any layer may use, with no knowledge of
 * ZooKeeper.
 *
 * - `notify.ts`: call every listener, report what throws.
 * - `clock.ts`: the one clock of timers and time, real or fake.
 * - `sleep.ts`: an abortable wait on a clock.
 *
 * @module
 */

export { type Clock, systemClock, type TimerHandle } from "./clock.ts";
export { notifyAll } from "./notify.ts";
export { sleep } from "./sleep.ts";
