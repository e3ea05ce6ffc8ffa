/**
 * The bottom layer: small helpers any layer may use, with no knowledge of
 * ZooKeeper.
 *
 * - `notify.ts`: call every listener, report what throws.
 * - `clock.ts`: the one clock of timers and time, real or fake.
 * - `sleep.ts`: an abortable wait on a clock.
 * - `abortable.ts`: waiting on a promise until a signal aborts.
 * - `type_name.ts`: what a refused value is, for messages.
 * - `bytes.ts`: byte arrays joined into one.
 *
 * @module
 */

export { type Clock, systemClock, type TimerHandle } from "./clock.ts";
export { notifyAll } from "./notify.ts";
export { sleep } from "./sleep.ts";
export { abortable, abortReason } from "./abortable.ts";
export { typeName } from "./type_name.ts";
