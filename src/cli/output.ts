/**
 * How the command line prints: YAML (the default, as `ndsr` prints), one line
 * of JSON for scripts (64-bit ids as strings), `dir` (names only, one per
 * line, for shell loops) and short text for people.
 *
 * @module
 */

import { joinPath } from "../protocol/path.ts";
import { toYaml } from "./yaml.ts";
import type { NodeSnapshot, NodeStat } from "../registry/snapshot.ts";
import type { JsonValue, NodeValue } from "../registry/node_data.ts";

/** The output formats of `--format`. */
export const FORMATS = ["yaml", "json", "dir", "text"] as const;

/** One of {@linkcode FORMATS}. */
export type OutputFormat = typeof FORMATS[number];

/** A result in every format but YAML and JSON, which are computed from `value`. */
export interface Printable {
  /** The result as data: what YAML and JSON print. */
  value: unknown;
  /** The names or paths `dir` prints, one per line. */
  dir: readonly string[];
  /** The text for people. */
  text: string;
}

/**
 * Prints a result in a format.
 *
 * @param format The format.
 * @param result The result.
 * @param repeated Whether it is one of a series (`watch`): YAML then starts a
 *   new document (`---`) and `dir` ends the list with an empty line.
 * @returns The output, ending with a newline (empty for an empty `dir`).
 */
export function render(format: OutputFormat, result: Printable, repeated = false): string {
  switch (format) {
    case "yaml":
      return (repeated ? "---\n" : "") + toYaml(result.value);
    case "json":
      return toJson(result.value) + "\n";
    case "dir":
      return result.dir.map((name) => `${name}\n`).join("") + (repeated ? "\n" : "");
    case "text":
      return result.text;
  }
}

/** A node of `tree --json`: its data and its children by name. */
export interface TreeNode {
  /** The node's data, decoded like the registry's (`null` when empty). */
  data: NodeValue;
  /** Its children by name, sorted. */
  children: Record<string, TreeNode>;
}

/** The result of `tree`: the root's path, data and descendants. */
export interface Tree extends TreeNode {
  /** The root's path. */
  path: string;
}

/**
 * Serializes a value as one line of JSON, with bigints (zxids, session ids)
 * as decimal strings.
 *
 * @param value The value.
 * @returns The JSON text, without a newline.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => typeof v === "bigint" ? v.toString() : v);
}

/**
 * A value as text for one line: JSON, shortened to `max` characters.
 *
 * @param value The data.
 * @param max The longest text returned.
 * @returns The text; empty for `null`.
 */
export function shortData(value: JsonValue, max = 60): string {
  if (value === null) return "";
  const text = toJson(value);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function utc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ") + " UTC";
}

function describeStat(stat: NodeStat): string {
  const owner = stat.ephemeralOwner === 0n
    ? ""
    : `, ephemeral (session 0x${stat.ephemeralOwner.toString(16)})`;
  return `version ${stat.version}, modified ${utc(stat.mtime)}${owner}`;
}

/**
 * Formats the result of `get()` for people: the path, its data, its Stat in
 * short and one line per child.
 *
 * @param snapshot The result.
 * @returns The lines, each ending with a newline.
 */
export function formatSnapshot(snapshot: NodeSnapshot): string {
  const stale = snapshot.stale ? "  (stale: from the cache, ZooKeeper not reachable)" : "";
  if (snapshot.stat === null) return `${snapshot.path}  (does not exist)${stale}\n`;
  const names = Object.keys(snapshot.children);
  const lines = [
    `${snapshot.path}${stale}`,
    `  data:     ${snapshot.data === null ? "(empty)" : toJson(snapshot.data)}`,
    `  stat:     ${describeStat(snapshot.stat)}`,
    `  children: ${names.length}`,
  ];
  const width = Math.max(0, ...names.map((n) => n.length));
  for (const name of names) {
    const data = snapshot.children[name];
    lines.push(`    ${name.padEnd(width)}  ${data === null ? "" : toJson(data)}`.trimEnd());
  }
  return lines.join("\n") + "\n";
}

/**
 * Formats a tree for people: one line per node, names indented by depth,
 * each followed by its data in short.
 *
 * @param tree The tree.
 * @returns The lines, each ending with a newline.
 */
export function formatTree(tree: Tree): string {
  const lines: string[] = [];
  const walk = (name: string, node: TreeNode, depth: number): void => {
    lines.push(`${"  ".repeat(depth)}${name}  ${shortData(node.data)}`.trimEnd());
    for (const [child, sub] of Object.entries(node.children)) walk(child, sub, depth + 1);
  };
  walk(tree.path, tree, 0);
  return lines.join("\n") + "\n";
}

/**
 * Every path of a tree, the root first, depth first in name order.
 *
 * @param tree The tree.
 * @returns The paths.
 */
export function treePaths(tree: Tree): string[] {
  const paths: string[] = [];
  const walk = (path: string, node: TreeNode): void => {
    paths.push(path);
    for (const [name, sub] of Object.entries(node.children)) {
      walk(joinPath(path, name), sub);
    }
  };
  walk(tree.path, tree);
  return paths;
}
