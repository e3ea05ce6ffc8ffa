/**
 * What the command line accepts: the usage text, argument parsing and
 * checks. How it prints is in `output.ts`.
 *
 * @module
 */

import { FORMATS, type OutputFormat, toJson } from "./output.ts";
import { pathProblem } from "../protocol/path.ts";
import type { JsonValue } from "../registry/node_data.ts";
import { formatMember, NODE_FORMATS, type NodeFormat } from "../registry/formats.ts";
import { ZooKeeperError } from "../protocol/errors.ts";

/** The usage text printed by `--help`. */
export const USAGE: string = `Usage: service-registry <command> [options]

Commands:
  get [PATH]            Print a node's data and stat, and its children's data
                        (default path /)
  watch PATH            Print a node now, then again on every change, until Ctrl-C
  register PATH [JSON]  Register an ephemeral node with a JSON object as data
                        (default {}) and keep it until Ctrl-C
  set PATH JSON         Write persistent JSON data, creating the node and parents
  delete PATH           Delete a node (--recursive: with its whole subtree)
  tree PATH             Print a subtree: names indented, with their data in short
  serve                 Serve the registry over HTTP: JSON, event streams, a live
                        page, metrics (see serve --help)

Options:
  --servers LIST    ZooKeeper servers, host:port,...[/chroot]
                    (default: $ZK_SERVERS, else 127.0.0.1:2181)
  --timeout MS      How long to wait for ZooKeeper when connecting (default 10000)
  -u, --username U  Authenticate with digest credentials (nodes created get
  -p, --password P  all rights for U and read for everyone)
  --format F        yaml (default): YAML documents
                    json: JSON, one value per line (64-bit ids as strings)
                    dir: names only, one per line (get: the children; tree:
                    every path; watch: a list per change, then an empty line)
                    text: short text for people
                    register also takes serverset or nerve: the node is
                    written as a serverset member or Nerve entry (JSON
                    {"host":...,"port":...}), which Prometheus discovers
  --json            Same as --format json
  -r, --recursive   delete: delete the node's descendants too
  -h, --help        Print this help
  --version         Print the version

Exit codes: 0 success, 1 ZooKeeper error, 2 usage error, 130 interrupted.

Examples:
  service-registry set /config/web '{"debug":true}'
  service-registry register /services/web/host1:8080 '{"weight":1}'
  service-registry register /serversets/web/host1 '{"host":"10.0.0.1","port":8080}' \
    --format serverset
  service-registry watch /services/web --json
  for host in $(service-registry get /services/web --format dir); do echo "$host"; done
`;

const COMMANDS: Record<string, { required: string[]; optional: string[] }> = {
  get: { required: [], optional: ["PATH"] },
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
  /** `--format` (`--json` is `json`). */
  format: OutputFormat;
  /** `--format serverset|nerve`: the format `register` writes. */
  nodeFormat: NodeFormat | undefined;
  /** `--username`. */
  username: string | undefined;
  /** `--password`. */
  password: string | undefined;
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
    format: "yaml",
    nodeFormat: undefined,
    username: undefined,
    password: undefined,
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
    applyOption(parsed, name, value, flag);
  }
  if (parsed.password !== undefined && parsed.username === undefined) {
    throw new UsageError("Option --password needs --username");
  }
  parsed.command = rest.shift();
  parsed.positional = rest;
  return parsed;
}

/**
 * Sets what one option says.
 *
 * @param parsed The command line so far.
 * @param name The option's name, as given.
 * @param value Takes the option's value (inline or the next argument).
 * @param flag Checks that the option has no value.
 * @throws {UsageError} On an unknown option or an invalid value.
 */
function applyOption(parsed: Parsed, name: string, value: () => string, flag: () => true): void {
  switch (name) {
    case "-s": // ndsr's names
    case "--server":
    case "--servers":
      parsed.servers = value();
      break;
    case "-u":
    case "--username":
      parsed.username = value();
      break;
    case "-p":
    case "--password":
      parsed.password = value();
      break;
    case "--outputformat": // ndsr's name
    case "--format": {
      const text = value();
      // The two kinds of format have no name in common: one option serves
      // both, and `--json --format serverset` sets each.
      if ((NODE_FORMATS as readonly string[]).includes(text)) {
        parsed.nodeFormat = text as NodeFormat;
        break;
      }
      if (!(FORMATS as readonly string[]).includes(text)) {
        const all = [...FORMATS, ...NODE_FORMATS].join(", ");
        throw new UsageError(`Invalid ${name} "${text}": use one of ${all}`);
      }
      parsed.format = text as OutputFormat;
      break;
    }
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
      flag();
      parsed.format = "json";
      break;
    case "-q": // ndsr's: it logged to stdout unless told not to; this tool never does
    case "--quiet":
      flag();
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

/**
 * Checks a command and its arguments: the command exists, has as many
 * arguments as it takes, a valid path, valid JSON.
 *
 * @param command The command, `undefined` when none was given.
 * @param positional Its arguments.
 * @returns The command.
 * @throws {UsageError} Saying what is wrong.
 */
export function checkCommand(
  command: string | undefined,
  positional: readonly string[],
  nodeFormat?: NodeFormat,
): string {
  // `serve` is a command too, with options of its own (serve.ts).
  const names = [...Object.keys(COMMANDS), "serve"].join(", ");
  if (command === undefined) throw new UsageError(`Missing command: one of ${names}`);
  if (!Object.hasOwn(COMMANDS, command)) {
    throw new UsageError(`Unknown command "${command}": use one of ${names}`);
  }
  checkArity(command, positional);
  const path = positional[0] ?? "/";
  const problem = pathProblem(path);
  if (problem !== undefined) throw new UsageError(`Invalid path "${path}": ${problem}`);
  if (command === "delete" && path === "/") {
    throw new UsageError(`Invalid path "/": the root cannot be deleted`);
  }
  if (command === "set") parseJson(positional[1]);
  if (command === "register") {
    const data = parseObject(positional[1] ?? "{}");
    if (nodeFormat !== undefined) checkMember(nodeFormat, path, data);
  } else if (nodeFormat !== undefined) {
    throw new UsageError(`Invalid --format "${nodeFormat}": only register takes it`);
  }
  return command;
}

function checkMember(format: NodeFormat, path: string, data: Record<string, JsonValue>): void {
  try {
    formatMember(format, path, data);
  } catch (error) {
    if (!(error instanceof ZooKeeperError)) throw error;
    throw new UsageError(error.message);
  }
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
