/**
 * Responses of the gateway: JSON bodies (64-bit ids as strings), and the
 * error every bad request gets.
 *
 * @module
 */

import { jsonText, JsonTooLongError } from "./json_text.ts";

/** A request the gateway refuses: its status and a message said in JSON. */
export class HttpError extends Error {
  /** The HTTP status, 4xx or 5xx. */
  readonly status: number;
  /** Extra headers, such as `Allow` or `Retry-After`. */
  readonly headers: Record<string, string>;

  /**
   * @param status The HTTP status.
   * @param message What was wrong, for the caller.
   * @param headers Extra headers.
   */
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.headers = headers;
  }
}

/** Headers every response carries. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
};

/**
 * Writes a value as JSON under the gateway's bounds, with 64-bit integers as
 * strings.
 *
 * @param value The value.
 * @returns Its JSON text.
 * @throws {JsonTooLongError} When it would be longer than the bound.
 */
export function toJsonText(value: unknown): string {
  return jsonText(value);
}

const texts = new WeakMap<object, string>();

/**
 * The JSON text of a value and a newline, kept for objects, which the
 * gateway never changes once made (views, snapshots): a thousand streams
 * sending one change encode it once.
 *
 * @param body The value.
 * @returns Its JSON text and a newline.
 */
export function cachedJson(body: unknown): string {
  if (body === null || typeof body !== "object") return toJsonText(body) + "\n";
  let text = texts.get(body);
  if (text === undefined) texts.set(body, text = toJsonText(body) + "\n");
  return text;
}

/**
 * A JSON response.
 *
 * @param status The HTTP status.
 * @param body The value to send.
 * @param headers Extra headers.
 * @returns The response.
 */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  let text: string | null = null;
  if (status !== 304) {
    try {
      text = cachedJson(body);
    } catch (error) {
      if (!(error instanceof JsonTooLongError)) throw error;
      return errorResponse(new HttpError(503, error.message));
    }
  }
  return new Response(text, {
    status,
    headers: { ...COMMON_HEADERS, "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/**
 * The JSON error of a refused request: `{"error": {"status", "message"}}`.
 *
 * @param error The refusal.
 * @returns The response.
 */
export function errorResponse(error: HttpError): Response {
  return jsonResponse(error.status, {
    error: { status: error.status, message: error.message },
  }, error.headers);
}
