/**
 * `service-registry serve`: the gateway on `node:http` until Ctrl-C.
 *
 * @module
 */

import { Registry } from "../registry/registry.ts";
import { listen } from "../http/node.ts";
import { parseDuration, validHost } from "../http/safety.ts";
import { serve } from "../http/serve.ts";

/** What `serve --help` prints. */
export const SERVE_USAGE: string = `Usage: service-registry serve [options]

Serves the registry over HTTP: JSON, blocking queries, event streams, a live
page at / and Prometheus metrics at /metrics.

Options:
  --port N        Port to listen on (default 8181; 0 picks a free one)
  --host ADDR     Address to bind (default 127.0.0.1)
  --base PATH     Services' parent node; nothing outside it is served (default /services)
  --host-name N   A name clients reach the gateway by (repeatable); requests for
                  any other Host than these, the address bound and localhost get 421
  --read-timeout D  Longest wait for ZooKeeper before a 503, such as 5s (default 5s)
  --token T       Enable PUT/DELETE registrations for requests with "Authorization: Bearer T";
                  prefer $SERVICE_REGISTRY_TOKEN (a command line is readable by every
                  user of the machine); writes are off without one
  --servers LIST  ZooKeeper servers (default: $ZK_SERVERS, else 127.0.0.1:2181)
  -h, --help      Print this help
`;

/** Where {@linkcode serveCommand} writes and what stops it. */
export interface ServeCommandIo {
  /** Receives the address and the state changes. */
  stdout: { write(text: string): unknown };
  /** Receives errors. */
  stderr: { write(text: string): unknown };
  /** The environment (`ZK_SERVERS`, `SERVICE_REGISTRY_TOKEN`). */
  env: Record<string, string | undefined>;
  /** Stops serving (Ctrl-C). */
  signal?: AbortSignal | undefined;
}

interface ServeArgs {
  port: number;
  host: string;
  base: string;
  token?: string | undefined;
  servers?: string | undefined;
  hostNames: string[];
  readTimeout?: number | undefined;
  help: boolean;
}

function parseServeArgs(args: readonly string[]): ServeArgs {
  const parsed: ServeArgs = {
    port: 8181,
    host: "127.0.0.1",
    base: "/services",
    hostNames: [],
    help: false,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-h" || arg === "--help") {
      parsed.help = true;
      continue;
    }
    const [flag, inline] = arg.startsWith("--") && arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = inline ?? args[++i];
    const flags = [
      "--port",
      "--host",
      "--base",
      "--token",
      "--servers",
      "--host-name",
      "--read-timeout",
    ];
    if (!flags.includes(flag)) {
      throw new Error(`Unknown option "${arg}" (see serve --help)`);
    }
    if (value === undefined) throw new Error(`Missing value of ${flag}`);
    if (flag === "--port") {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new Error(`Invalid port "${value}"`);
      }
      parsed.port = port;
    } else if (flag === "--host-name") {
      if (!validHost(value)) throw new Error(`Invalid host name "${value}"`);
      parsed.hostNames.push(value);
    } else if (flag === "--read-timeout") {
      try {
        parsed.readTimeout = parseDuration(value, "read timeout", 3_600_000);
      } catch (error) {
        throw new Error((error as Error).message);
      }
      if (parsed.readTimeout === 0) throw new Error("The read timeout must be above 0");
    } else parsed[flag.slice(2) as "host" | "base" | "token" | "servers"] = value;
  }
  return parsed;
}

/**
 * Runs `service-registry serve`: connects (lazily: it serves the cache and
 * the page while ZooKeeper is away), listens, and stops on the signal.
 *
 * @param args The arguments after `serve`.
 * @param io Output, environment and the stopping signal.
 * @returns The exit code: 0 after a clean stop, 1 when it cannot listen, 2 on bad usage.
 */
export async function serveCommand(args: readonly string[], io: ServeCommandIo): Promise<number> {
  let parsed: ServeArgs;
  try {
    parsed = parseServeArgs(args);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(SERVE_USAGE);
    return 0;
  }
  const token = parsed.token ?? io.env.SERVICE_REGISTRY_TOKEN;
  const registry = await Registry.connect({
    servers: parsed.servers ?? io.env.ZK_SERVERS ?? "127.0.0.1:2181",
    lazy: true,
    onError: (error) => io.stderr.write(`Warning: ${(error as Error)?.message ?? error}\n`),
  });
  let gateway;
  try {
    const bound = parsed.host.includes(":") ? `[${parsed.host}]` : parsed.host;
    gateway = serve(registry, {
      base: parsed.base,
      token,
      hosts: [bound, "localhost", ...parsed.hostNames],
      ...(parsed.readTimeout === undefined ? {} : { limits: { readTimeout: parsed.readTimeout } }),
    });
  } catch (error) {
    await registry.close();
    io.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  registry.onStateChange((state) => io.stderr.write(`ZooKeeper: ${state.type}\n`));
  try {
    const server = await listen(gateway, { port: parsed.port, host: parsed.host });
    io.stdout.write(
      `Serving ${parsed.base} on ${server.url}/ (writes ${token ? "enabled" : "disabled"})\n`,
    );
    await new Promise<void>((resolve) => {
      if (io.signal?.aborted) return resolve();
      io.signal?.addEventListener("abort", () => resolve(), { once: true });
    });
    await gateway.close();
    await server.close();
    return 0;
  } catch (error) {
    io.stderr.write(
      `Cannot listen on ${parsed.host}:${parsed.port}: ${(error as Error).message}\n`,
    );
    return 1;
  } finally {
    await gateway.close().catch(() => {});
    await registry.close();
  }
}
