/**
 * The one JSON writer of the gateway, bounded in depth and size: data read
 * from ZooKeeper may nest deeper than `JSON.stringify` can recurse (a node
 * written by anyone), and must cost the catalog nothing but its own place.
 *
 * @module
 */

/** The bounds of {@linkcode jsonText}. */
export interface JsonBounds {
  /** Deepest nesting written; a value below it is written as a short note. */
  maxDepth: number;
  /** Longest text written, in UTF-16 code units; past it {@linkcode jsonText} throws. */
  maxLength: number;
}

/** The bounds the gateway writes JSON under. */
export const JSON_BOUNDS: Readonly<JsonBounds> = { maxDepth: 64, maxLength: 16 * 1024 * 1024 };

/**
 * The deepest a PUT's body may nest: half the written bound, so an accepted
 * registration is always written whole, wherever an answer places it.
 */
export const MAX_BODY_DEPTH: number = JSON_BOUNDS.maxDepth / 2;

/** What stands for a value nested past {@linkcode JsonBounds.maxDepth}. */
export function tooDeepNote(maxDepth: number): string {
  return `(not shown: nested deeper than ${maxDepth} levels)`;
}

/** Thrown by {@linkcode jsonText} when the text would pass its length bound. */
export class JsonTooLongError extends RangeError {
  /** @param maxLength The bound that was passed. */
  constructor(maxLength: number) {
    super(`The JSON text would be longer than ${maxLength} characters`);
    this.name = "JsonTooLongError";
  }
}

/**
 * Writes a value as JSON: 64-bit integers as strings, `undefined` members
 * left out as `JSON.stringify` does, any value nested past `maxDepth` as a
 * short string note, so one deep node never breaks the answer around it.
 *
 * @param value The value.
 * @param bounds Depth and length bounds.
 * @returns The JSON text.
 * @throws {JsonTooLongError} When the text would be longer than `maxLength`.
 */
export function jsonText(value: unknown, bounds: JsonBounds = JSON_BOUNDS): string {
  const parts: string[] = [];
  let length = 0;
  const push = (text: string) => {
    length += text.length;
    if (length > bounds.maxLength) throw new JsonTooLongError(bounds.maxLength);
    parts.push(text);
  };
  const write = (v: unknown, depth: number): void => {
    switch (typeof v) {
      case "string":
        return push(JSON.stringify(v));
      case "number":
        return push(Number.isFinite(v) ? String(v) : "null");
      case "boolean":
        return push(v ? "true" : "false");
      case "bigint":
        return push(`"${v}"`);
      case "object":
        break;
      default:
        return push("null");
    }
    if (v === null) return push("null");
    if (depth >= bounds.maxDepth) return push(JSON.stringify(tooDeepNote(bounds.maxDepth)));
    if (Array.isArray(v)) {
      push("[");
      for (let i = 0; i < v.length; i++) {
        if (i > 0) push(",");
        write(v[i], depth + 1);
      }
      return push("]");
    }
    push("{");
    let first = true;
    for (const key of Object.keys(v)) {
      const member = (v as Record<string, unknown>)[key];
      if (member === undefined || typeof member === "function") continue;
      push(first ? JSON.stringify(key) + ":" : "," + JSON.stringify(key) + ":");
      first = false;
      write(member, depth + 1);
    }
    push("}");
  };
  write(value, 0);
  return parts.join("");
}

/**
 * How deep a parsed JSON value nests, counted without recursion, stopping
 * once past `limit`.
 *
 * @param value A value from `JSON.parse`.
 * @param limit The depth past which counting stops.
 * @returns Its depth (a scalar is 0), or `limit + 1` when deeper than `limit`.
 */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth + 1 > limit) return limit + 1;
    deepest = Math.max(deepest, depth + 1);
    for (const member of Array.isArray(v) ? v : Object.values(v)) stack.push([member, depth + 1]);
  }
  return deepest;
}
