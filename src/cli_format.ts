/**
 * The command line's formats: what it accepts (usage text, argument parsing
 * and checks) and how it prints (one-line JSON with bigints as strings for
 * scripts, short text for people).
 *
 * @module
 */

import { pathProblem } from "./protocol/path.ts";
import type { NodeSnapshot } from "./registry/snapshot.ts";
import type { JsonValue, NodeValue } from "./registry/node_data.ts";
import type { Stat } from "./protocol/records_data.ts";

/** The usage text printed by `--help`. */
export const USAGE: string = `Usage: service-registry <command> [options]

Commands:
  get PATH              Print a node's data and stat, and its children's data
  watch PATH            Print a node now, then again on every change, until Ctrl-C
  register PATH [JSON]  Register an ephemeral node with a JSON object as data
                        (default {}) and keep it until Ctrl-C
  set PATH JSON         Write persistent JSON data, creating the node and parents
  delete PATH           Delete a node (--recursive: with its whole subtree)
  tree PATH             Print a subtree: names indented, with their data in short

Options:
  --servers LIST    ZooKeeper servers, host:port,...[/chroot]
                    (default: $ZK_SERVERS, else 127.0.0.1:2181)
  --timeout MS      How long to wait for ZooKeeper when connecting (default 10000)
  --json            Print JSON, one value per line (64-bit ids as strings)
  -r, --recursive   delete: delete the node's descendants too
  -h, --help        Print this help
  --version         Print the version

Exit codes: 0 success, 1 ZooKeeper error, 2 usage error, 130 interrupted.

Examples:
  service-registry set /config/web '{"debug":true}'
  service-registry register /services/web/host1:8080 '{"weight":1}'
  service-registry watch /services/web --json
`;

const COMMANDS: Record<string, { required: string[]; optional: string[] }> = {
  get: { required: ["PATH"], optional: [] },
  watch: { required: ["PATH"], optional: [] },
  register: { required: ["PATH"], optional: ["JSON"] },
  set: { required: ["PATH", "JSON"], optional: [] },
  delete: { required: ["PATH"], optional: [] },
  tree: { required: ["PATH"], optional: [] },
};

/** A mistake in the command line: exit code 2. */
export class UsageError extends Error {}

/** A command line, parsed. */
export interface Parsed {
  /** The command (first argument that is not an option). */
  command: string | undefined;
  /** The command's arguments. */
  positional: string[];
  /** `--servers`. */
  servers: string | undefined;
  /** `--timeout`, in milliseconds. */
  timeout: number;
  /** `--json`. */
  json: boolean;
  /** `--recursive`. */
  recursive: boolean;
  /** `--help`. */
  help: boolean;
  /** `--version`. */
  version: boolean;
}

/**
 * Parses the arguments: options may come anywhere, `--` ends them.
 *
 * @param args The arguments.
 * @returns The options and the command with its arguments, unchecked.
 * @throws {UsageError} For an unknown option or a bad value.
 */
export function parseArgs(args: readonly string[]): Parsed {
  const parsed: Parsed = {
    command: undefined,
    positional: [],
    servers: undefined,
    timeout: 10_000,
    json: false,
    recursive: false,
    help: false,
    version: false,
  };
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      rest.push(...args.slice(i + 1));
      break;
    }
    // "-1" or "-" are values, not options.
    if (!/^--?[A-Za-z]/.test(arg)) {
      rest.push(arg);
      continue;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = args[++i];
      if (next === undefined) throw new UsageError(`Option ${name} needs a value`);
      return next;
    };
    const flag = (): true => {
      if (inline !== undefined) throw new UsageError(`Option ${name} takes no value`);
      return true;
    };
    switch (name) {
      case "--servers":
        parsed.servers = value();
        break;
      case "--timeout": {
        const text = value();
        if (!/^\d+$/.test(text) || Number(text) <= 0) {
          throw new UsageError(
            `Invalid --timeout "${text}": must be a positive number of milliseconds`,
          );
        }
        parsed.timeout = Number(text);
        break;
      }
      case "--json":
        parsed.json = flag();
        break;
      case "-r":
      case "--recursive":
        parsed.recursive = flag();
        break;
      case "-h":
      case "--help":
        parsed.help = flag();
        break;
      case "--version":
        parsed.version = flag();
        break;
      default:
        throw new UsageError(`Unknown option "${name}" (see --help)`);
    }
  }
  parsed.command = rest.shift();
  parsed.positional = rest;
  return parsed;
}

/**
 * Checks a command and its arguments: the command exists, has as many
 * arguments as it takes, a valid path, valid JSON.
 *
 * @param command The command, `undefined` when none was given.
 * @param positional Its arguments.
 * @returns The command.
 * @throws {UsageError} Saying what is wrong.
 */
export function checkCommand(command: string | undefined, positional: readonly string[]): string {
  const names = Object.keys(COMMANDS).join(", ");
  if (command === undefined) throw new UsageError(`Missing command: one of ${names}`);
  if (!Object.hasOwn(COMMANDS, command)) {
    throw new UsageError(`Unknown command "${command}": use one of ${names}`);
  }
  checkArity(command, positional);
  const path = positional[0];
  const problem = pathProblem(path);
  if (problem !== undefined) throw new UsageError(`Invalid path "${path}": ${problem}`);
  if (command === "delete" && path === "/") {
    throw new UsageError(`Invalid path "/": the root cannot be deleted`);
  }
  if (command === "set") parseJson(positional[1]);
  if (command === "register") parseObject(positional[1] ?? "{}");
  return command;
}

function checkArity(command: string, positional: readonly string[]): void {
  const spec = COMMANDS[command];
  const names = [...spec.required, ...spec.optional.map((n) => `[${n}]`)].join(" ");
  if (positional.length < spec.required.length) {
    const missing = spec.required[positional.length];
    throw new UsageError(`Missing argument ${missing} (usage: ${command} ${names})`);
  }
  if (positional.length > spec.required.length + spec.optional.length) {
    const extra = positional[spec.required.length + spec.optional.length];
    throw new UsageError(`Unexpected argument "${extra}" (usage: ${command} ${names})`);
  }
}

/**
 * Parses a JSON argument.
 *
 * @param text The argument.
 * @returns The value.
 * @throws {UsageError} Naming the argument and why it is not JSON.
 */
export function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new UsageError(`Invalid JSON argument ${toJson(text)}: ${(error as Error).message}`);
  }
}

/**
 * Parses a JSON argument that must be an object.
 *
 * @param text The argument.
 * @returns The object.
 * @throws {UsageError} When it is not JSON or not an object.
 */
export function parseObject(text: string): Record<string, JsonValue> {
  const value = parseJson(text);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UsageError(`Invalid JSON argument ${toJson(text)}: must be a JSON object`);
  }
  return value;
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

function describeStat(stat: Stat): string {
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
