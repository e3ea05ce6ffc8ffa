/**
 * Writes the registry benchmark's results: every measurement as JSON, and
 * a Markdown table of medians with min–max per client and event.
 *
 * @module
 */

import { cpus, totalmem } from "node:os";
import { dirname } from "node:path";

/** One measured event (or the memory figure) of one client at one size. */
export interface Measurement {
  size: string;
  n: number;
  w: number;
  client: string;
  event: string;
  rep?: number;
  /** Requests per watcher; `NaN` for the memory figure and a failure. */
  requests: number;
  /** Milliseconds from the write's reply (or the reopened link) until every watcher had it. */
  ms?: number;
  /** For a resync: milliseconds from the reopened link until every watcher was connected again. */
  reconnectMs?: number;
  /** For a resync with changes: the longest time from a watcher's reconnect to its view having them. */
  afterReconnectMs?: number;
  /**
   * The watcher program's CPU time (user and system) from just before the
   * write until its last watcher saw it, divided by W, in microseconds.
   */
  cpuUsPerWatcher?: number;
  bytesPerChild?: number;
  note?: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const fmt = (x: number) =>
  Math.abs(x) < 0.05
    ? "0"
    : Math.abs(x) >= 100
    ? Math.round(x).toLocaleString("en")
    : Math.abs(x) >= 10
    ? x.toFixed(0)
    : x.toFixed(1);

function cell(values: number[]): string {
  const xs = values.filter((x) => !Number.isNaN(x));
  if (xs.length === 0) return "n/a";
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return fmt(lo) === fmt(hi) ? fmt(median(xs)) : `${fmt(median(xs))} (${fmt(lo)}–${fmt(hi)})`;
}

function version(command: string[]): string {
  try {
    const out = new Deno.Command(command[0], { args: command.slice(1) }).outputSync();
    return new TextDecoder().decode(out.stdout).split("\n")[0].trim();
  } catch {
    return "?";
  }
}

/**
 * Builds the Markdown tables of the results.
 *
 * @param results Every measurement.
 * @returns The tables, one per size.
 */
export function tables(results: readonly Measurement[]): string {
  const out: string[] = [];
  for (const size of [...new Set(results.map((r) => r.size))]) {
    const mine = results.filter((r) => r.size === size);
    out.push(`#### ${size}`, "");
    out.push(
      "| client | event | requests per watcher | ms until all saw it | CPU µs per watcher | resync: ms until all reconnected / longest reconnect → view |",
    );
    out.push("| --- | --- | ---: | ---: | ---: | ---: |");
    const memory: string[] = [];
    for (const client of [...new Set(mine.map((r) => r.client))]) {
      const rows = mine.filter((r) => r.client === client);
      for (const event of [...new Set(rows.map((r) => r.event))]) {
        const of = rows.filter((r) => r.event === event);
        if (of[0].bytesPerChild !== undefined) {
          memory.push(`| ${client} | ${fmt(of[0].bytesPerChild)} | ${of[0].note ?? ""} |`);
          continue;
        }
        const column = (key: "ms" | "reconnectMs" | "afterReconnectMs" | "cpuUsPerWatcher") =>
          cell(of.flatMap((r) => r[key] === undefined ? [] : [r[key]]));
        const resync = of[0].event.endsWith("failed")
          ? (of[0].note ?? "").replaceAll("|", "/").split("\n")[0]
          : of[0].reconnectMs === undefined
          ? ""
          : `${column("reconnectMs")} / ${
            of[0].afterReconnectMs === undefined ? "—" : column("afterReconnectMs")
          }`;
        out.push(
          `| ${client} | ${event} | ${cell(of.map((r) => r.requests))} | ${column("ms")} | ${
            of[0].reconnectMs === undefined ? column("cpuUsPerWatcher") : ""
          } | ${resync} |`,
        );
      }
    }
    if (memory.length > 0) {
      out.push("", "| client | bytes per cached child (heap growth ÷ N·W) | measured as |");
      out.push("| --- | ---: | --- |", ...memory);
    }
    out.push("");
  }
  return out.join("\n");
}

/**
 * Writes `<base>.json` and `<base>.md`, and prints the tables.
 *
 * @param base The result files' path without the extension.
 * @param results Every measurement.
 * @param reps Repetitions of each event and of each resync.
 * @param print Whether to print the tables too.
 */
export async function writeReport(
  base: string,
  results: readonly Measurement[],
  reps: { reps: number; resyncReps: number },
  print = true,
): Promise<void> {
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${
    (totalmem() / 2 ** 30).toFixed(0)
  } GiB; ${version([Deno.execPath(), "--version"])}, ${
    version(["java", "-version"]) || "Java 17"
  }, ${version(["/usr/bin/python3", "--version"])}; ZooKeeper 3.8 standalone on loopback`;
  const date = new Date().toISOString();
  const table = tables(results);
  if (print) console.log(table);
  await Deno.mkdir(dirname(base), { recursive: true });
  await Deno.writeTextFile(
    `${base}.json`,
    JSON.stringify({ date, machine, reps, results }, null, 2) + "\n",
  );
  await Deno.writeTextFile(
    `${base}.md`,
    `${date} — ${machine}; medians of ${reps.reps} (min–max) for each event, ${reps.resyncReps} ${
      reps.resyncReps === 1 ? "resync" : "resyncs"
    } of each kind\n\n${table}`,
  );
}
