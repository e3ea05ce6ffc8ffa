/**
 * The `service-registry` command-line tool: look up, watch, register, write,
 * delete and list znodes through the {@linkcode Registry}. It prints YAML by
 * default, or JSON, the names only (`--format dir`) or short text.
 *
 * ```sh
 * deno run -A jsr:@nd/service-registry/cli get /services/web --servers 127.0.0.1:2181
 * npx service-registry get /services/web --format dir   # from the npm package
 * ```
 *
 * Exit codes: 0 success, 1 ZooKeeper error, 2 usage error, 130 interrupted.
 *
 * @example In-process, with its own output and environment
 * ```ts
 * import { main } from "@nd/service-registry/cli";
 * import { TestingServer } from "@nd/service-registry/testing";
 *
 * await using server = await TestingServer.start();
 * let out = "";
 * const io = { env: { ZK_SERVERS: server.connectString }, stdout: { write: (t: string) => out += t } };
 * await main(["set", "/config/web", '{"debug":true}'], io);
 * const code = await main(["get", "/config", "--format", "dir"], io);
 * console.log(code, out.split("\n").at(-2)); // 0 web
 * ```
 *
 * @module
 */

import process from "node:process";
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { checkCommand, parseArgs, USAGE, UsageError } from "./args.ts";
import { Interrupted, interruptible, runCommand } from "./commands.ts";
import { serveCommand } from "./serve.ts";
import { Registry } from "../registry/registry.ts";
import { parseConnectString } from "../session/connect_string.ts";

/** The version printed by `--version` (the package's). */
export const VERSION = "0.1.0";

export { USAGE };

/** Where {@linkcode main} writes, what it reads and what stops it. */
export interface CliIo {
  /** Receives results. @default {process.stdout} */
  stdout?: { write(text: string): unknown } | undefined;
  /** Receives error messages and warnings. @default {process.stderr} */
  stderr?: { write(text: string): unknown } | undefined;
  /**
   * The environment: `ZK_SERVERS`, and `ZK_DRAIN_GRACE` (ms `register`
   * waits after unregistering on SIGTERM, default 5000).
   *
   * @default {process.env}
   */
  env?: Record<string, string | undefined> | undefined;
  /**
   * Ends `watch` and `register` (as Ctrl-C does) and interrupts the others;
   * aborted with the reason `"SIGTERM"`, `register` drains first.
   */
  signal?: AbortSignal | undefined;
}

/** A change of the registry's state as the warning that reports it; `undefined` for the others. */
function describeState(state: Registry["state"]): string | undefined {
  switch (state.type) {
    case "disconnected":
      return `ZooKeeper connection lost (${state.error.message}); reconnecting`;
    case "reconnected":
      return "ZooKeeper connection restored";
    case "expired":
      return "ZooKeeper session expired; starting a new one";
    case "connected":
      return "ZooKeeper connected (new session)";
  }
  return undefined;
}

/**
 * Runs the command-line tool.
 *
 * @param args The arguments after the program's name, such as `["get", "/services"]`.
 * @param io Output streams, environment and an abort signal (Ctrl-C); the
 *   process's by default, without a signal.
 * @returns The exit code: 0 success, 1 ZooKeeper error, 2 usage error, 130
 *   interrupted.
 */
export async function main(args: string[], io: CliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  // Output that can no longer be written (a closed pipe) ends the command too.
  const closed = new AbortController();
  const signal = io.signal ? AbortSignal.any([io.signal, closed.signal]) : closed.signal;
  const out = (text: string): void => {
    if (closed.signal.aborted) return;
    try {
      stdout.write(text);
    } catch {
      closed.abort();
    }
  };
  const fail = (message: string, code: number): number => {
    stderr.write(`${message.replace(/\s*\n\s*/g, " ")}\n`);
    return code;
  };
  if (args[0] === "serve") {
    return await serveCommand(args.slice(1), { stdout, stderr, env, signal });
  }
  let registry: Registry | undefined;
  try {
    const parsed = parseArgs(args);
    if (parsed.help || parsed.version) {
      out(parsed.help ? USAGE : `${VERSION}\n`);
      return 0;
    }
    const command = checkCommand(parsed.command, parsed.positional, parsed.nodeFormat);
    const servers = parsed.servers ?? env.ZK_SERVERS ?? "127.0.0.1:2181";
    try {
      parseConnectString(servers);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const lastError: { error?: unknown } = {};
    const holding = command === "watch" || command === "register";
    const connecting = Registry.connect({
      servers,
      connectTimeout: parsed.timeout,
      username: parsed.username,
      password: parsed.password,
      onError: (error) => {
        lastError.error = error;
        if (holding) stderr.write(`Warning: ${(error as Error)?.message ?? error}\n`);
      },
    });
    try {
      registry = await interruptible(connecting, signal);
    } catch (error) {
      connecting.then((r) => r.close(), () => {});
      throw error;
    }
    if (holding) {
      registry.onStateChange((state) => {
        const text = describeState(state);
        if (text !== undefined) stderr.write(`${text}\n`);
      });
    }
    const { format, nodeFormat, recursive } = parsed;
    const ctx = {
      registry,
      args: parsed.positional,
      format,
      nodeFormat,
      recursive,
      out,
      signal,
      lastError,
      env,
      endCode: () => io.signal?.aborted && io.signal.reason !== "SIGTERM" ? 130 : 0,
    };
    return await runCommand(command, ctx);
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message, 2);
    if (error instanceof Interrupted) return fail("Interrupted", 130);
    return fail(error instanceof Error ? error.message : String(error), 1);
  } finally {
    await registry?.close().catch(() => {});
  }
}

function isEntryModule(): boolean {
  const meta = import.meta as ImportMeta & { main?: boolean | undefined };
  if (meta.main !== undefined) return meta.main;
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

/**
 * Runs the command-line tool as the process: its arguments, Ctrl-C and
 * SIGTERM ending `watch` and `register` (a second Ctrl-C exits at once), and
 * the exit code. What the npm package's `service-registry` command runs.
 *
 * @example A command of your own that is this tool
 * ```ts ignore
 * import { runProcess } from "@nd/service-registry/cli";
 * await runProcess();
 * ```
 *
 * @param args The arguments. @default {process.argv.slice(2)}
 * @returns Never: it exits the process.
 */
export async function runProcess(args: string[] = process.argv.slice(2)): Promise<never> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: "SIGINT" | "SIGTERM"): void => {
    // A second Ctrl-C does not wait for a clean close.
    if (++signals > 1) process.exit(130);
    controller.abort(name);
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  // A closed pipe (`watch ... | head -1`) ends the command, without a stack trace.
  process.stdout.on("error", () => controller.abort());
  const code = await main(args, { signal: controller.signal });
  await new Promise<void>((resolve) => {
    if (controller.signal.aborted || !process.stdout.writable) resolve();
    else process.stdout.write("", () => resolve());
  });
  process.exit(code);
}

// Not awaited: a top-level await would keep Node 20 from require()-ing this module.
if (isEntryModule()) {
  runProcess().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
