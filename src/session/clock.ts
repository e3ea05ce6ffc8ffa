/**
 * The clock of the session's timers: the library's one {@linkcode Clock},
 * defined at the bottom layer so that every layer can take it.
 *
 * @module
 */

export {
  clampDelay,
  type Clock,
  MAX_TIMER_DELAY,
  systemClock,
  type TimerHandle,
} from "../util/clock.ts";
