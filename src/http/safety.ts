/**
 * The checks between a request and the registry: a path that stays under the
 * base, a token compared in constant time, a body read no further than its
 * limit, durations within their bounds.
 *
 * @module
 */

import { pathProblem } from "../protocol/path.ts";
import { HttpError } from "./respond.ts";

/** Longest name of a service or an instance the gateway accepts. */
export const MAX_NAME_LENGTH = 255;

/**
 * Splits a request's path into decoded segments, refusing anything that
 * could name a node outside the base: `.` and `..`, encoded slashes and
 * backslashes, NUL and other control characters, bad percent-encoding.
 *
 * @param rawPath The request's path as sent (still percent-encoded).
 * @returns Its segments, decoded.
 * @throws {HttpError} 400 on anything refused.
 */
export function splitPath(rawPath: string): string[] {
  if (!rawPath.startsWith("/")) throw new HttpError(400, "The path must start with /");
  if (/%(2f|5c|00)/i.test(rawPath)) {
    throw new HttpError(400, "Encoded slashes, backslashes and NUL are not allowed in a path");
  }
  const segments = rawPath.split("/").slice(1);
  if (segments.length > 1 && segments[segments.length - 1] === "") segments.pop();
  return segments.map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new HttpError(400, "Bad percent-encoding in the path");
    }
    if (decoded === "." || decoded === "..") {
      throw new HttpError(400, "Relative segments (. and ..) are not allowed in a path");
    }
    // deno-lint-ignore no-control-regex
    if (/[\u0000-\u001f\u007f\\]/.test(decoded)) {
      throw new HttpError(400, "Control characters and backslashes are not allowed in a path");
    }
    return decoded;
  });
}

/**
 * Checks one name (a service, an instance id, a node below the base).
 *
 * @param name The decoded segment.
 * @param what Said in the error: `service`, `instance id`...
 * @returns The name.
 * @throws {HttpError} 400 when it is empty, too long or not a ZooKeeper name.
 */
export function checkName(name: string, what: string): string {
  if (name.length === 0) throw new HttpError(400, `Missing ${what}`);
  if (name.length > MAX_NAME_LENGTH) {
    throw new HttpError(400, `The ${what} is longer than ${MAX_NAME_LENGTH} characters`);
  }
  const problem = pathProblem(`/${name}`);
  if (problem !== undefined) throw new HttpError(400, `Invalid ${what} "${name}": ${problem}`);
  if (SPOOFING.test(name)) {
    throw new HttpError(
      400,
      `Invalid ${what}: direction and invisible format characters would let it pass for another name`,
    );
  }
  return name;
}

// Bidirectional controls, zero-width characters and C1 controls: shown on the
// page, they make one name read as another (U+202E turns "exe.txt" around).
const SPOOFING = /[\u0080-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

/** What RFC 6750 allows in a bearer token: anything else no request could send. */
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Why a configured token could never be sent by a request, if it could not.
 *
 * @param token The token.
 * @returns The problem, or `undefined` when it is a valid bearer token.
 */
export function tokenProblem(token: string): string | undefined {
  if (BEARER_TOKEN.test(token)) return undefined;
  return "a bearer token is letters, digits and -._~+/ (then = signs), with no spaces";
}

/** `name`, `name:port`, `[v6]:port`: a Host with a path or a user would change the URL. */
const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]+)(:\d{1,5})?$/;

/**
 * Whether a `Host` header is a host and nothing more (no path, no user).
 *
 * @param host The header.
 * @returns Whether it is.
 */
export function validHost(host: string): boolean {
  if (!HOST.test(host)) return false;
  // What the URL parser refuses too: a port past 65535, a bad escape, an
  // IPv4 address out of range.
  try {
    new URL(`http://${host}/`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The path of a request's URL as sent, before `new URL` resolves `.`,
 * `..`, `%2e` and `%2e%2e` segments away (a web-standard server passes the
 * request line's target through as it came).
 *
 * @param url The request's URL.
 * @returns Its path, still percent-encoded.
 */
export function rawPathOf(url: string): string {
  const scheme = url.indexOf("://");
  const start = url.indexOf("/", scheme < 0 ? 0 : scheme + 3);
  if (start < 0) return "/";
  const end = url.slice(start).search(/[?#]/);
  return end < 0 ? url.slice(start) : url.slice(start, start + end);
}

/**
 * Whether a request's host (from its URL, which comes from its `Host`
 * header) is one the gateway answers to.
 *
 * @param host The host, as `URL.host` has it (`name:port`, `[::1]:port`).
 * @param allowed Lower-case names, with or without a port; `*` allows any.
 * @returns Whether it is allowed.
 */
export function hostAllowed(host: string, allowed: ReadonlySet<string>): boolean {
  if (allowed.has("*")) return true;
  const lower = host.toLowerCase();
  if (allowed.has(lower)) return true;
  const colon = lower.lastIndexOf(":");
  return colon > lower.lastIndexOf("]") && allowed.has(lower.slice(0, colon));
}

/**
 * Whether a child of the base is ZooKeeper's own (`/zookeeper`, which holds
 * the quotas and the ensemble's configuration): never served.
 *
 * @param base The base.
 * @param name A child's name.
 * @returns Whether it is.
 */
export function reservedUnder(base: string, name: string): boolean {
  return base === "/" && name === "zookeeper";
}

/**
 * Joins a base path and checked names into a ZooKeeper path.
 *
 * @param base The base, such as `/services`.
 * @param names Names checked by {@linkcode checkName}.
 * @returns The path.
 * @throws {HttpError} 400 when the result is not a valid ZooKeeper path; 404
 *   for ZooKeeper's own `/zookeeper` under a base of `/`.
 */
export function underBase(base: string, names: readonly string[]): string {
  if (names.length > 0 && reservedUnder(base, names[0])) {
    throw new HttpError(404, `No service "${names[0]}"`);
  }
  const path = [base === "/" ? "" : base, ...names].join("/") || "/";
  const problem = pathProblem(path);
  if (problem !== undefined) throw new HttpError(400, `Invalid path "${path}": ${problem}`);
  return path;
}

/**
 * Compares two secrets in time that depends only on their lengths, so a
 * caller cannot find the token one character at a time.
 *
 * @param given What the request sent.
 * @param expected The configured token.
 * @returns Whether they are equal.
 */
export function sameSecret(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(expected);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i % (a.length || 1)] ?? 0) ^ b[i];
  return diff === 0;
}

/**
 * Checks a request's bearer token.
 *
 * @param request The request.
 * @param token The configured token.
 * @throws {HttpError} 401 when the token is missing or wrong.
 */
export function requireToken(request: Request, token: string): void {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  if (match === null || !sameSecret(match[1], token)) {
    throw new HttpError(401, "A valid bearer token is required to write", {
      "www-authenticate": 'Bearer realm="service-registry"',
    });
  }
}

const readWhole = new WeakSet<Request>();

/**
 * Whether a request comes with a body that was not read to its end. Asks the
 * headers only: on `Deno.serve`, touching `request.body` (even `bodyUsed`)
 * makes the server keep the connection and read the refused body to its end.
 *
 * @param request The request.
 * @returns Whether a body was left unread.
 */
export function bodyLeftUnread(request: Request): boolean {
  if (request.method === "GET" || request.method === "HEAD" || readWhole.has(request)) return false;
  const length = request.headers.get("content-length");
  return request.headers.has("transfer-encoding") || (length !== null && length !== "0");
}

/**
 * Reads a request's body as text, no further than `limit` bytes.
 *
 * @param request The request.
 * @param limit The most bytes accepted.
 * @returns The body.
 * @throws {HttpError} 413 when it is longer, 400 when it is not UTF-8.
 */
export async function readBody(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  const tooLarge = () => new HttpError(413, `The body is larger than ${limit} bytes`);
  if (declared > limit) throw tooLarge();
  if (request.body === null) {
    readWhole.add(request);
    return "";
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  readWhole.add(request);
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "The body is not UTF-8");
  }
}

/**
 * Reads a duration such as `30s`, `500ms`, `2m` or `45` (seconds).
 *
 * @param text The parameter's value.
 * @param what The parameter's name, for the error.
 * @param max The longest accepted, in milliseconds.
 * @returns Milliseconds.
 * @throws {HttpError} 400 when it is not a duration or is above `max`.
 */
export function parseDuration(text: string, what: string, max: number): number {
  const match = /^(\d{1,9})(ms|s|m|h)?$/.exec(text);
  if (match === null) throw new HttpError(400, `Invalid ${what} "${text}": use 30s, 500ms, 2m`);
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const unit = units[match[2] ?? "s"];
  const ms = Number(match[1]) * unit;
  if (ms > max) throw new HttpError(400, `The ${what} is above the limit of ${max / 1000}s`);
  return ms;
}
