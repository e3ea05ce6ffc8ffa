/**
 * CORS: the headers that let a page at a configured origin call the gateway
 * from a browser. Other origins get none, so a browser keeps their pages
 * from reading the answers.
 *
 * @module
 */

/**
 * The CORS headers of a request's answer.
 *
 * @param request The request.
 * @param origins The origins allowed.
 * @returns The headers; none when its origin is not allowed.
 */
export function corsHeadersFor(
  request: Request,
  origins: ReadonlySet<string>,
): Record<string, string> {
  const origin = request.headers.get("origin");
  if (origin === null || !origins.has(origin)) return {};
  return {
    "access-control-allow-origin": origin,
    "access-control-allow-methods": "GET, HEAD, PUT, DELETE",
    "access-control-allow-headers": "authorization, content-type, last-event-id, if-none-match",
    "access-control-expose-headers": "etag, x-index",
    vary: "origin",
  };
}
