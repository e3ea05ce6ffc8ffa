/**
 * The gateway on `node:http` (Node, and Deno and Bun through their Node
 * compatibility): an adapter from Node's request and response to the
 * web-standard handler, and a listener bound to loopback unless told
 * otherwise. Kept apart so that Workers never load `node:http`.
 *
 * @module
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Buffer } from "node:buffer";
import { parseQuery } from "./query.ts";
import { errorResponse, HttpError } from "./respond.ts";
import { validHost } from "./safety.ts";

/** A web-standard handler, such as a {@linkcode Gateway}. */
export type FetchHandler = (request: Request) => Promise<Response>;

/** Options of {@linkcode listen}. */
export interface ListenOptions {
  /** The port; 0 picks a free one. @default {8181} */
  port?: number | undefined;
  /** The address to bind. @default {"127.0.0.1"} */
  host?: string | undefined;
  /** Closes the server when aborted. */
  signal?: AbortSignal | undefined;
}

/** A listening server. */
export interface HttpListener extends AsyncDisposable {
  /** The address it is bound to. */
  readonly host: string;
  /** The port it is bound to. */
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** Stops accepting, ends open connections and waits for the server to close. */
  close(): Promise<void>;
}

// An AbortSignal costs much in Node's Request: only requests that can wait
// (blocking queries, event streams) get one, to end their wait when the
// client goes away. Any other request ends by itself. The query is read by
// the handler's own parser: `?%69ndex=` waits as `?index=` does.
function mayWait(req: IncomingMessage): boolean {
  const url = req.url ?? "";
  let waits = false;
  try {
    waits = parseQuery(url).has("index");
  } catch {
    // The handler refuses it without waiting.
  }
  return waits || url.includes("/watch") ||
    (req.headers.accept ?? "").includes("text/event-stream");
}

/**
 * The body as a web stream, read from the request as the handler pulls it.
 * Made here rather than by `Readable.toWeb`: cancelling that one when a body
 * is refused made Deno's adapter throw from a later chunk and end the process.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Uint8Array) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => {
        if (done) return;
        done = true;
        controller.close();
      });
      req.once("error", (error) => {
        if (done) return;
        done = true;
        controller.error(error);
      });
      req.once("close", () => {
        if (done) return;
        done = true;
        controller.error(new Error("The client closed the connection"));
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      done = true;
    },
  }, { highWaterMark: 65_536, size: (chunk) => chunk.byteLength });
}

function toRequest(req: IncomingMessage, signal: AbortSignal | undefined): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD" &&
    (req.headers["transfer-encoding"] !== undefined ||
      Number(req.headers["content-length"] ?? "0") > 0);
  const host = req.headers.host ?? "localhost";
  if (!validHost(host)) throw new HttpError(400, "Malformed Host header");
  return new Request(`http://${host}${req.url ?? "/"}`, {
    method,
    headers,
    ...(signal === undefined ? {} : { signal }),
    ...(hasBody ? { body: bodyStream(req), duplex: "half" } : {}),
  } as RequestInit);
}

async function send(response: Response, res: ServerResponse, req: IncomingMessage): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (headers.connection === "close" && !req.complete) {
    // A refused body still coming: Node would destroy the socket after the
    // answer, and the data arriving after that makes the kernel send a reset
    // that can discard the answer before the client reads it. Half-close
    // instead: the client reads the answer and the end, Node reads and drops
    // what is still sent until the client hangs up (or its request timeout).
    delete headers.connection;
    res.once("finish", () => req.socket?.end());
  }
  if (response.body === null) {
    res.writeHead(response.status, headers);
    return void res.end();
  }
  const reader = response.body.getReader();
  if (!response.headers.get("content-type")?.startsWith("text/event-stream")) {
    // A whole body goes out in one write, with its length.
    const chunks: Uint8Array[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    headers["content-length"] = String(body.length);
    res.writeHead(response.status, headers);
    return void res.end(body);
  }
  res.writeHead(response.status, headers);
  res.flushHeaders();
  res.on("close", () => reader.cancel().catch(() => {}));
  // A stream that fails (a subscriber cut for not reading) is cut here too,
  // at once, without the body's end: the client must not take what it got
  // for the whole, and a client that does not read would not get to the next
  // read, which throws it out of here.
  reader.closed.catch(() => res.destroy());
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!res.write(value)) {
      await new Promise<void>((resolve) => {
        const go = () => {
          res.off("drain", go).off("close", go);
          resolve();
        };
        res.on("drain", go).on("close", go);
      });
    }
  }
  res.end();
}

const RELATIVE = /(^|\/)(\.|%2e){1,2}(\/|$)/i;

// Refused before the handler saw it: whatever body it has is not read, so the
// connection closes after the answer.
function refusal(error: HttpError): Response {
  const response = errorResponse(error);
  response.headers.set("connection", "close");
  return response;
}

/**
 * Adapts a web-standard handler to `node:http`.
 *
 * @param handler The handler.
 * @returns A `request` listener for `http.createServer`.
 */
export function toNodeListener(
  handler: FetchHandler,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // Aborting costs a DOMException: only requests that can wait get a signal.
    let aborted: AbortController | undefined;
    if (mayWait(req)) {
      const controller = aborted = new AbortController();
      res.on("close", () => controller.abort());
    }
    let response: Promise<Response>;
    // `new URL` would resolve `..`, `%2e` and `%2e%2e` silently: refuse them as sent.
    const raw = (req.url ?? "/").split("?")[0];
    if (RELATIVE.test(raw) || !raw.startsWith("/")) {
      response = Promise.resolve(refusal(new HttpError(400, "Relative paths are not allowed")));
    } else {
      try {
        response = handler(toRequest(req, aborted?.signal));
      } catch (error) {
        const refused = error instanceof HttpError
          ? error
          : new HttpError(400, "Malformed request");
        response = Promise.resolve(refusal(refused));
      }
    }
    response.then((r) => send(r, res, req)).catch(() => res.destroy());
  };
}

/**
 * Serves a handler on `node:http`.
 *
 * @example The gateway on Node
 * ```ts ignore
 * import { Registry } from "@nd/service-registry";
 * import { serve } from "@nd/service-registry/http";
 * import { listen } from "@nd/service-registry/http/node";
 * const registry = await Registry.connect({ lazy: true });
 * const server = await listen(serve(registry), { port: 8181 });
 * console.log(`serving on ${server.url}`);
 * ```
 *
 * @param handler The handler.
 * @param options Port, address and an abort signal.
 * @returns The listening server.
 */
export function listen(handler: FetchHandler, options: ListenOptions = {}): Promise<HttpListener> {
  const server = createServer(toNodeListener(handler));
  const host = options.host ?? "127.0.0.1";
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8181, host, () => {
      server.off("error", reject);
      const { port } = server.address() as { port: number };
      options.signal?.addEventListener("abort", () => close(), { once: true });
      const shown = host.includes(":") ? `[${host}]` : host;
      resolve({
        host,
        port,
        url: `http://${shown}:${port}`,
        close,
        [Symbol.asyncDispose]: close,
      });
    });
  });
}
