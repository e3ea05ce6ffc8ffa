/**
 * `service-registry serve` in a process of its own, on the runtime running
 * the tests: what a crash of the gateway kills is then that process, which
 * a test can see.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { repoRoot } from "./peer.ts";

/** The arguments that run the command-line tool on this runtime, from the sources or the npm build. */
export const cliArgs: string[] = (() => {
  const compiled = import.meta.url.endsWith(".js");
  const cliFile = fileURLToPath(
    new URL(`../../src/cli/main.${compiled ? "js" : "ts"}`, import.meta.url),
  );
  if (compiled || "Bun" in globalThis) return [cliFile];
  return "Deno" in globalThis ? ["run", "-A", cliFile] : ["--import", "tsx", cliFile];
})();

/** A running `service-registry serve`. */
export interface ServeProcess extends AsyncDisposable {
  /** `http://127.0.0.1:port`. */
  readonly url: string;
  readonly port: number;
  /** Whether the process still runs. */
  alive(): boolean;
  /** What it wrote to stderr. */
  stderr(): string;
  /** Interrupts it and waits for its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `service-registry serve --port 0` with more arguments, and waits
 * until it listens.
 *
 * @param args More arguments.
 * @param env More environment (`ZK_SERVERS`, `SERVICE_REGISTRY_TOKEN`).
 * @returns The process.
 */
export function startServeProcess(
  args: string[],
  env: Record<string, string>,
): Promise<ServeProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...cliArgs, "serve", "--port", "0", ...args],
    {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(exitCode = code))
  );
  child.stderr!.on("data", (chunk: Uint8Array) => err += new TextDecoder().decode(chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`serve did not listen within 30s: ${err}`));
    }, 30_000);
    exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`serve exited before listening: ${err}`));
    });
    child.stdout!.on("data", (chunk: Uint8Array) => {
      out += new TextDecoder().decode(chunk);
      const url = /on (http:\/\/127\.0\.0\.1:(\d+))\//.exec(out);
      if (url === null) return;
      clearTimeout(timer);
      const stop = async () => {
        if (exitCode === undefined) process.kill(child.pid!, "SIGINT");
        return await exited;
      };
      resolve({
        url: url[1],
        port: Number(url[2]),
        alive: () => exitCode === undefined,
        stderr: () => err,
        stop,
        [Symbol.asyncDispose]: async () => void await stop(),
      });
    });
  });
}
