/**
 * What a value is, in a word, for messages that refuse it: safe on any value,
 * including objects whose conversion to a string throws.
 *
 * @module
 */

/**
 * The type of a value as a message names it: `"null"`, `"an array"`,
 * `"a Uint16Array"`, `"a number (NaN)"`, `"an object"`.
 *
 * @param value Anything.
 * @returns A short phrase.
 *
 * @example Naming what was passed
 * ```ts
 * import { typeName } from "./type_name.ts";
 * console.log(typeName(new Float64Array(2))); // a Float64Array
 * console.log(typeName(2 ** 32)); // the number 4294967296
 * ```
 */
export function typeName(value: unknown): string {
  switch (typeof value) {
    case "undefined":
      return "undefined";
    case "number":
      return `the number ${value}`;
    case "bigint":
      return `a bigint`;
    case "boolean":
      return `a boolean`;
    case "string":
      return "a string";
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
  }
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  // Object.create(null) has no constructor; a hostile one may have anything.
  let name = "";
  try {
    const ctor = (value as { constructor?: unknown }).constructor;
    if (typeof ctor === "function" && typeof ctor.name === "string") name = ctor.name;
  } catch {
    // A getter that throws: an object all the same.
  }
  if (name === "" || name === "Object") return "an object";
  return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
}
