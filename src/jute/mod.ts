/**
 * Jute, ZooKeeper's serialization: a bounds-checked reader and a writer that
 * computes frame lengths in place. Pure: no I/O, no timers.
 *
 * - `reader.ts`: `JuteReader`.
 * - `writer.ts`: `JuteWriter`.
 *
 * @module
 */

export { JuteReader } from "./reader.ts";
export { JuteWriter } from "./writer.ts";
