/**
 * The clock of the session's timers: the library's one {@linkcode Clock},
 * defined at the bottom layer so that every layer can take it.
 *
 * @module
 */

export { type Clock, systemClock, type TimerHandle } from "../util/clock.ts";
