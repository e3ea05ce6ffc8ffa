/**
 * How the registry reads and writes znode data: JSON when it is JSON, the
 * raw string when it is not, `null` when empty; and the registration record a
 * server writes about itself.
 *
 * @module
 */

/** A JSON value. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Data as the registry returns it: parsed JSON, else the raw text, `null` when empty. */
export type NodeValue = JsonValue;

import { ZooKeeperError } from "../protocol/errors.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Decodes znode data: JSON when it parses, the UTF-8 text when it does not
 * (a node written by another tool never makes a lookup fail), `null` when
 * empty.
 *
 * @param bytes The node's data.
 * @returns The value.
 */
export function decodeNodeData(bytes: Uint8Array): NodeValue {
  if (bytes.length === 0) return null;
  const text = decoder.decode(bytes);
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/**
 * Encodes a value as JSON bytes.
 *
 * @param value The value.
 * @returns The bytes.
 */
export function encodeNodeData(value: JsonValue): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** What `setNode` publishes: an object of JSON values, or a text. */
export type RegistrationData = Record<string, JsonValue> | string;

/**
 * Checks what plain JavaScript passes to `setNode`: an object (not an array)
 * whose values JSON can write, or a string, which ndServiceRegistry accepts
 * too.
 *
 * @param path The node's path, for the message.
 * @param data The data.
 * @throws {ZooKeeperError} `BADARGUMENTS`, saying what the data is.
 */
export function checkRegistrationData(path: string, data: unknown): void {
  const refuse = (why: string) =>
    new ZooKeeperError("BADARGUMENTS", `Cannot register "${path}": ${why}`, { path });
  if (typeof data === "string") return;
  if (
    typeof data !== "object" || data === null || Array.isArray(data) || ArrayBuffer.isView(data)
  ) {
    const what = data === null
      ? "null"
      : Array.isArray(data)
      ? "an array"
      : ArrayBuffer.isView(data)
      ? "bytes"
      : `a ${typeof data}`;
    throw refuse(`data must be an object or a string, not ${what}`);
  }
  try {
    JSON.stringify(data);
  } catch (error) {
    throw refuse(`data is not JSON: ${(error as Error).message}`);
  }
}

/**
 * The bytes of a registration. A string is kept as ndServiceRegistry keeps
 * it, `{"string_value": text}` beside the metadata, which its readers (and
 * discovery here) read back as the text; without metadata, the text itself.
 *
 * @param data Checked by {@linkcode checkRegistrationData}.
 * @param metadata The fields to add, or `undefined` for the data alone.
 * @returns The node's data.
 */
export function encodeRegistration(
  data: RegistrationData,
  metadata: Record<string, JsonValue> | undefined,
): Uint8Array {
  if (metadata === undefined) {
    return typeof data === "string" ? encoder.encode(data) : encodeNodeData(data);
  }
  const fields = typeof data === "string" ? { string_value: data } : data;
  return encodeNodeData({ ...fields, ...metadata });
}

interface ProcessLike {
  pid?: number | undefined;
}

/** The process id, where the runtime has one. */
export function processId(): number | undefined {
  const g = globalThis as {
    process?: ProcessLike | undefined;
    Deno?: { pid?: number | undefined } | undefined;
  };
  return g.process?.pid ?? g.Deno?.pid;
}

let hostnameCache: string | undefined | null = null;

/** The host name, where the runtime can tell it. */
export async function hostName(): Promise<string | undefined> {
  if (hostnameCache !== null) return hostnameCache;
  try {
    const os = await import("node:os");
    hostnameCache = os.hostname();
  } catch {
    hostnameCache = undefined;
  }
  return hostnameCache;
}

/**
 * A timestamp as ndServiceRegistry writes it: `YYYY-MM-DD HH:MM:SS`, in UTC.
 *
 * @param date The moment.
 * @returns The text.
 */
export function timestamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}
