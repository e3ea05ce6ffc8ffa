/**
 * Another ZooKeeper client run as a subprocess (kazoo, Curator), for the
 * interop tests: its stdout line by line, its stdin as the way to stop it.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const decoder = new TextDecoder();

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
  const lines: string[] = [];
  let partial = "";
  let errText = "";
  let closed = false;
  let wake: (() => void) | undefined;
  child.stdout!.on("data", (chunk: Uint8Array) => {
    const parts = (partial + decoder.decode(chunk)).split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
    wake?.();
  });
  child.stderr!.on("data", (chunk: Uint8Array) => errText += decoder.decode(chunk));
  const exited = new Promise<number | null>((resolve) => {
    child.once("close", (code) => {
      running.delete(child);
      closed = true;
      wake?.();
      resolve(code);
    });
  });
  const nextLine = async (ms = 30_000): Promise<string> => {
    const deadline = Date.now() + ms;
    while (lines.length === 0) {
      if (closed) throw new Error(`${command} exited: ${errText}`);
      if (Date.now() > deadline) throw new Error(`no line from ${command}: ${errText}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return lines.shift()!;
  };
  return {
    nextLine,
    async waitFor<T>(match: (value: T) => boolean, what: string, ms = 30_000): Promise<T> {
      // Lines that do not match stay for later calls: a DataWatch line may
      // come before the ChildrenWatch line waited for first.
      const deadline = Date.now() + ms;
      for (let scanned = 0;;) {
        for (; scanned < lines.length; scanned++) {
          const value = JSON.parse(lines[scanned]) as T;
          if (match(value)) {
            lines.splice(scanned, 1);
            return value;
          }
        }
        if (closed) throw new Error(`${what} not seen before ${command} exited: ${errText}`);
        if (Date.now() > deadline) {
          throw new Error(`${what} not seen; lines: ${lines.join(" | ")}; ${errText}`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 100);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    end() {
      child.stdin!.end();
      return exited;
    },
    stderr: () => errText,
  };
}

/** Kills peers a failed test left running. */
export function killPeers(): void {
  for (const child of running) child.kill();
}
