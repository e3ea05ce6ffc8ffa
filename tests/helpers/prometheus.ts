/**
 * Debian's Prometheus (installed by scripts/install_prometheus.sh) run as a
 * subprocess on a loopback port, with its own config and storage, for the
 * tests of what it discovers.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { freePort } from "./zk_server.ts";
import { repoRoot } from "./peer.ts";
import { systemClock } from "../../src/util/clock.ts";
import { sleep } from "../../src/util/sleep.ts";

/** One target of `/api/v1/targets`. */
export interface ActiveTarget {
  /** Its job. */
  scrapePool: string;
  /** The labels discovery gave it, `__meta_*` included. */
  discoveredLabels: Record<string, string>;
  /** Its labels after relabelling. */
  labels: Record<string, string>;
}

/** A running Prometheus. */
export interface Prometheus extends AsyncDisposable {
  /** Its web address, such as `http://127.0.0.1:9090`. */
  readonly url: string;
  /** The active targets now. */
  targets(): Promise<ActiveTarget[]>;
  /**
   * Polls the active targets until `check` accepts them.
   *
   * @param check What the targets must satisfy.
   * @param what Said in the error when they do not.
   * @param ms How long to wait: Prometheus shows a discovery change 5 to 10 s later.
   * @returns The targets that passed.
   */
  waitFor(
    check: (targets: ActiveTarget[]) => boolean,
    what: string,
    ms?: number,
  ): Promise<ActiveTarget[]>;
  /** Stops it and removes its storage. */
  stop(): Promise<void>;
}

/**
 * The `prometheus.yml` examples of docs/prometheus.md, as one config: each
 * is a whole file with the same `global` part, so their `scrape_configs`
 * entries are joined.
 *
 * @param replace Addresses to swap in the text (the docs' ZooKeeper and
 *   gateway for the test's own).
 * @returns The config's text.
 */
export async function docsConfig(replace: Record<string, string>): Promise<string> {
  const doc = await readFile(join(repoRoot, "docs", "prometheus.md"), "utf8");
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1])
    .filter((text) => text.includes("\nscrape_configs:\n"));
  if (blocks.length === 0) throw new Error("no prometheus.yml in docs/prometheus.md");
  const parts = blocks.map((text) => {
    const [head, jobs] = text.split("\nscrape_configs:\n");
    return { head: head.replace(/^#.*\n/, ""), jobs };
  });
  if (parts.some((p) => p.head !== parts[0].head)) {
    throw new Error("the prometheus.yml examples have different global parts");
  }
  let text = `${parts[0].head}\nscrape_configs:\n${parts.map((p) => p.jobs).join("")}`;
  for (const [from, to] of Object.entries(replace)) text = text.replaceAll(from, to);
  return text;
}

const children = new Set<ChildProcess>();

// A test run that ends early takes its Prometheus with it.
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/**
 * Starts Prometheus on a free loopback port with `config`, and waits until it
 * is ready.
 *
 * @param config The text of its `prometheus.yml`.
 * @returns The running Prometheus.
 */
export async function startPrometheus(config: string): Promise<Prometheus> {
  const dir = await mkdtemp(join(tmpdir(), "prometheus-"));
  await writeFile(join(dir, "prometheus.yml"), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn("/usr/bin/prometheus", [
    `--config.file=${join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--log.level=warn",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  children.add(child);
  let log = "";
  child.stderr!.on("data", (chunk: Uint8Array) => log += new TextDecoder().decode(chunk));
  const exited = new Promise<void>((resolve) => {
    child.once("close", () => resolve());
    // Not installed: said in the error of the wait for readiness.
    child.once("error", (error) => {
      log += `${error.message} (scripts/install_prometheus.sh installs it)`;
      resolve();
    });
  });
  let running = true;
  exited.then(() => {
    running = false;
    children.delete(child);
  });

  const poll = async <T>(read: () => Promise<T | undefined>, what: string, ms: number) => {
    const deadline = Date.now() + ms;
    for (;;) {
      if (!running) throw new Error(`Prometheus exited while waiting for ${what}: ${log}`);
      const value = await read().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > deadline) {
        throw new Error(`timed out (${ms} ms) waiting for ${what}; Prometheus said: ${log}`);
      }
      await sleep(systemClock, 250);
    }
  };
  const targets = async (): Promise<ActiveTarget[]> => {
    const response = await fetch(`${url}/api/v1/targets?state=active`);
    const body = await response.json() as { data: { activeTargets: ActiveTarget[] } };
    return body.data.activeTargets;
  };
  const stop = async () => {
    if (running) child.kill("SIGTERM");
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await poll(
      async () => {
        const response = await fetch(`${url}/-/ready`);
        await response.body?.cancel();
        return response.ok ? true : undefined;
      },
      "Prometheus to be ready",
      60_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    targets,
    waitFor: (check, what, ms = 60_000) =>
      poll(
        async () => {
          const now = await targets();
          return check(now) ? now : undefined;
        },
        what,
        ms,
      ),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
