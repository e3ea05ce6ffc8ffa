/**
 * Another ZooKeeper client run as a subprocess (kazoo, Curator), for the
 * interop tests: its stdout line by line, its stdin as the way to stop it.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ChildLines } from "./child_lines.ts";

/** The repository's root, from the sources or from the npm build (dist/tests/). */
export const repoRoot: string = fileURLToPath(
  new URL(import.meta.url.endsWith(".js") ? "../../.." : "../..", import.meta.url),
);

/** A running peer. */
export interface Peer {
  /** The next line of stdout, waiting up to `ms`. */
  nextLine(ms?: number): Promise<string>;
  /** Waits for a line that parses to a value `match` accepts, takes it and returns the value. */
  waitFor<T>(match: (value: T) => boolean, what: string, ms?: number): Promise<T>;
  /** Closes stdin (the peer's cue to clean up and exit) and waits for the exit code. */
  end(): Promise<number | null>;
  /** Everything written to stderr so far. */
  stderr(): string;
}

const running = new Set<ChildProcess>();

/**
 * Starts a peer.
 *
 * @param command The program.
 * @param args Its arguments.
 * @returns The peer.
 */
export function startPeer(command: string, args: string[]): Peer {
  const child = spawn(command, args, { cwd: repoRoot, stdio: ["pipe", "pipe", "pipe"] });
  running.add(child);
  const out = new ChildLines(child);
  out.exited.then(() => running.delete(child));
  return {
    nextLine: (ms = 30_000) => out.next(command, ms),
    // Lines that do not match stay for later calls: a DataWatch line may
    // come before the ChildrenWatch line waited for first.
    waitFor: (match, what, ms = 30_000) => out.waitFor(match, what, ms),
    end() {
      child.stdin!.end();
      return out.exited;
    },
    stderr: () => out.stderr,
  };
}

/** Kills peers a failed test left running. */
export function killPeers(): void {
  for (const child of running) child.kill();
}
