/**
 * A request's query parameters, read once and decoded, by the one parser
 * both the `node:http` adapter (to know whether a request may wait) and the
 * handler use: a check on the raw text would let `?%69ndex=` past the one
 * and into the other.
 *
 * @module
 */

import { HttpError } from "./respond.ts";

/** Most parameters a request may carry. */
export const MAX_QUERY_PARAMETERS = 32;

/**
 * Reads the query of a request target (`/path?a=1&b=2`) or of a whole URL.
 *
 * @param target The target or URL as sent (still percent-encoded).
 * @returns The parameters, decoded, by name (the first of a repeated name).
 * @throws {HttpError} 400 on bad percent-encoding or too many parameters.
 */
export function parseQuery(target: string): Map<string, string> {
  const params = new Map<string, string>();
  const start = target.indexOf("?");
  if (start < 0) return params;
  const end = target.indexOf("#", start);
  const query = target.slice(start + 1, end < 0 ? undefined : end);
  if (query === "") return params;
  const pairs = query.split("&");
  if (pairs.length > MAX_QUERY_PARAMETERS) {
    throw new HttpError(400, `More than ${MAX_QUERY_PARAMETERS} query parameters`);
  }
  for (const pair of pairs) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : decode(pair.slice(eq + 1));
    if (!params.has(name)) params.set(name, value);
  }
  return params;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    throw new HttpError(400, "Bad percent-encoding in the query");
  }
}
