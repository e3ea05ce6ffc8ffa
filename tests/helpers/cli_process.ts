/**
 * The command-line tool run as users run it, in a process of its own: its
 * output line by line, its signals and its exit.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { ChildLines } from "./child_lines.ts";
import { repoRoot } from "./peer.ts";
import { cliArgs } from "./serve_process.ts";

/** The processes started and not yet ended, for a test file to kill at its end. */
export const cliChildren: Set<ChildProcess> = new Set<ChildProcess>();

/** A running CLI: its output line by line, and its exit. */
export interface Running {
  child: ChildProcess;
  /** The next line of stdout, waiting up to 20 s. */
  nextLine(): Promise<string>;
  /** Sends SIGINT (as Ctrl-C does) or another signal. */
  interrupt(signal?: "SIGINT" | "SIGTERM"): void;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** The exit code. */
  exited: Promise<number | null>;
}

/** What a CLI run to its end wrote, and its exit code. */
export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

/** Starts the CLI with `args`, without `ZK_SERVERS` from the environment. */
export function startCli(args: string[], extraEnv: Record<string, string> = {}): Running {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", ...extraEnv };
  delete env.ZK_SERVERS;
  const child = spawn(process.execPath, [...cliArgs, ...args], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  cliChildren.add(child);
  const out = new ChildLines(child);
  out.exited.then(() => cliChildren.delete(child));
  return {
    child,
    exited: out.exited,
    stderr: () => out.stderr,
    // Not child.kill(): Deno's child_process then reports the signal as the
    // cause of the exit even when the child handled it and exited with 0.
    interrupt: (signal = "SIGINT") => process.kill(child.pid!, signal),
    nextLine: () => out.next("the CLI"),
  };
}

/** Runs the CLI to its end. */
export async function cli(...args: string[]): Promise<CliResult> {
  const running = startCli(args);
  const out: string[] = [];
  const code = await running.exited;
  for (;;) {
    try {
      out.push(await running.nextLine());
    } catch {
      break;
    }
  }
  return { code, out: out.join("\n"), err: running.stderr() };
}

/** Checks a usage or ZooKeeper error: the exit code, one line on stderr, no stack trace. */
export function assertCliError(result: CliResult, code: number, message: string | RegExp): void {
  assert.equal(result.code, code, `exit code (stderr: ${result.err})`);
  assert.equal(result.out, "");
  const lines = result.err.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr: ${result.err}`);
  if (typeof message === "string") assert.ok(lines[0].includes(message), lines[0]);
  else assert.match(lines[0], message);
  assert.doesNotMatch(result.err, /^\s+at /m);
}
