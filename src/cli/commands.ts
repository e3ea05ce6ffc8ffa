/**
 * The commands of the command line, each on a connected registry: `get`,
 * `watch`, `register`, `set`, `delete` and `tree` (`serve` is in
 * ./serve.ts).
 *
 * @module
 */

import type { ZooKeeper } from "../client/zookeeper.ts";
import { deleteTree } from "../client/recipes.ts";
import { joinPath } from "../protocol/path.ts";
import { ZooKeeperError } from "../protocol/errors.ts";
import type { NodeFormat } from "../registry/formats.ts";
import { decodeNodeData } from "../registry/node_data.ts";
import type { Registry } from "../registry/registry.ts";
import { childRecord, type NodeSnapshot } from "../registry/snapshot.ts";
import { abortable } from "../util/abortable.ts";
import { parseJson, parseObject, UsageError } from "./args.ts";
import {
  formatSnapshot,
  formatTree,
  type OutputFormat,
  render,
  toJson,
  type Tree,
  type TreeNode,
  treePaths,
} from "./output.ts";

/** Ctrl-C before the work was done: what an interrupted command rejects with (exit code 130). */
export class Interrupted extends Error {}

/**
 * Settles with `promise`, or rejects with `Interrupted` as soon as `signal` aborts.
 *
 * @param promise The work.
 * @param signal Interrupts it.
 * @returns Its result.
 */
export function interruptible<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  return abortable(promise, signal, () => new Interrupted("Interrupted"));
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    signal?.addEventListener("abort", () => resolve(), { once: true });
  });
}

function clientOf(registry: Registry, verb: string, path: string): ZooKeeper {
  const zk = registry.client;
  if (zk === undefined) throw ZooKeeperError.fromServer("CONNECTIONLOSS", verb, path);
  return zk;
}

async function readTree(zk: ZooKeeper, path: string): Promise<TreeNode> {
  const [node, names] = await Promise.all([zk.getData(path), zk.getChildren(path)]);
  names.sort();
  const subtrees = await Promise.all(
    names.map((name) =>
      readTree(zk, joinPath(path, name)).catch((error) => {
        // Deleted between the listing and the read.
        if (ZooKeeperError.is(error, "NONODE")) return undefined;
        throw error;
      })
    ),
  );
  const children = childRecord<TreeNode>();
  names.forEach((name, i) => {
    const subtree = subtrees[i];
    if (subtree !== undefined) children[name] = subtree;
  });
  return { data: decodeNodeData(node.data), children };
}

/** What a command works with. */
export interface CommandContext {
  registry: Registry;
  args: string[];
  format: OutputFormat;
  nodeFormat: NodeFormat | undefined;
  recursive: boolean;
  out: (text: string) => void;
  signal: AbortSignal | undefined;
  /** The last error of the registry's background work. */
  lastError: { error?: unknown };
  /** The environment (`ZK_DRAIN_GRACE`). */
  env: Record<string, string | undefined>;
  /**
   * The exit code of `watch` or `register` once stopped: 130 when the
   * caller's signal stopped it (Ctrl-C), as shells report an interrupted
   * command; 0 when the reason is SIGTERM (the graceful end a supervisor asks
   * for) or the output pipe closed.
   */
  endCode: () => number;
}

/** A snapshot in every format: `dir` lists its children's names. */
function printableSnapshot(snapshot: NodeSnapshot, text: string) {
  return { value: snapshot, dir: Object.keys(snapshot.children), text };
}

/**
 * Runs one command on a connected registry.
 *
 * @param command The command's name.
 * @param ctx Its arguments, the registry and where the output goes.
 * @returns The exit code.
 *   Rejects with a `UsageError` for an unknown command.
 */
export function runCommand(command: string, ctx: CommandContext): Promise<number> {
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (run === undefined) return Promise.reject(new UsageError(`Unknown command "${command}"`));
  return run(ctx, ctx.args[0] ?? "/");
}

const COMMANDS: Record<string, (ctx: CommandContext, path: string) => Promise<number>> = {
  get: getCommand,
  watch: watchCommand,
  register: registerCommand,
  set: setCommand,
  delete: deleteCommand,
  tree: treeCommand,
};

/**
 * Prints a path once: its data, children and Stat.
 *
 * @param ctx The command's context.
 * @param path The path it is about.
 * @returns The exit code.
 */
async function getCommand(ctx: CommandContext, path: string): Promise<number> {
  const { registry, format, out, signal } = ctx;
  const snapshot = await interruptible(registry.read(path), signal);
  if (snapshot.stat === null) {
    // Stale, or refused (not authorized): the read itself failed, and the
    // registry reported why.
    const error = ctx.lastError.error;
    const about = error instanceof ZooKeeperError && error.path === path;
    if (error !== undefined && (snapshot.stale || about)) throw error;
    const code = snapshot.stale ? "CONNECTIONLOSS" : "NONODE";
    throw ZooKeeperError.fromServer(code, "read", path);
  }
  out(render(format, printableSnapshot(snapshot, formatSnapshot(snapshot))));
  return 0;
}

/**
 * Prints a path, then each change of it, until stopped.
 *
 * @param ctx The command's context.
 * @param path The path it is about.
 * @returns The exit code.
 */
async function watchCommand(ctx: CommandContext, path: string): Promise<number> {
  const { registry, format, out, signal } = ctx;
  for await (const snapshot of registry.watch(path, { signal })) {
    const time = new Date(registry.clock.wallNow()).toISOString().slice(11, 19);
    const text = `[${time}] ${formatSnapshot(snapshot)}`;
    out(render(format, printableSnapshot(snapshot, text), true));
  }
  return ctx.endCode();
}

/**
 * Registers a server as an ephemeral node and holds it until stopped (draining first on SIGTERM).
 *
 * @param ctx The command's context.
 * @param path The path it is about.
 * @returns The exit code.
 */
async function registerCommand(ctx: CommandContext, path: string): Promise<number> {
  const { registry, format, out, signal } = ctx;
  const data = parseObject(ctx.args[1] ?? "{}");
  const options = { ephemeral: true, format: ctx.nodeFormat };
  await interruptible(registry.setNode(path, data, options), signal);
  const node = await interruptible(clientOf(registry, "read", path).getData(path), signal);
  const registered = { path, data: decodeNodeData(node.data), stat: node.stat };
  const session = node.stat.ephemeralOwner.toString(16);
  const text = `Registered ${path} ${toJson(registered.data)}\n` +
    `Holding it (ephemeral node of session 0x${session}) until Ctrl-C\n`;
  out(render(format, { value: registered, dir: [path], text }));
  await untilAborted(signal);
  if (signal?.reason === "SIGTERM") {
    // A rolling restart: out of the service first, then time for clients to move away.
    const grace = Number(ctx.env.ZK_DRAIN_GRACE ?? 5000);
    await registry.drain({ grace: grace >= 0 ? grace : 5000 });
  }
  await registry.close(); // deletes the node
  if (format === "text") out(`Unregistered ${path}\n`);
  return ctx.endCode();
}

/**
 * Sets a node's data.
 *
 * @param ctx The command's context.
 * @param path The path it is about.
 * @returns The exit code.
 */
async function setCommand(ctx: CommandContext, path: string): Promise<number> {
  const { registry, format, out, signal } = ctx;
  const data = parseJson(ctx.args[1]);
  await interruptible(registry.setData(path, data), signal);
  const stat = await interruptible(clientOf(registry, "read", path).exists(path), signal);
  const text = `Set ${path} to ${toJson(data)} (version ${stat?.version})\n`;
  out(render(format, { value: { path, data, stat }, dir: [path], text }));
  return 0;
}

/**
 * Deletes a node (with its descendants when `--recursive`).
 *
 * @param ctx The command's context.
 * @param path The path it is about.
 * @returns The exit code.
 */
async function deleteCommand(ctx: CommandContext, path: string): Promise<number> {
  const { registry, format, out, signal } = ctx;
  const zk = clientOf(registry, "delete", path);
  let deleted = 1;
  if (ctx.recursive) {
    if (await interruptible(zk.exists(path), signal) === null) {
      throw ZooKeeperError.fromServer("NONODE", "delete", path);
    }
    deleted = await interruptible(deleteTree(zk, path), signal);
  } else {
    await interruptible(zk.delete(path), signal).catch((error) => {
      if (!ZooKeeperError.is(error, "NOTEMPTY")) throw error;
      throw new ZooKeeperError("NOTEMPTY", `${error.message} (use --recursive)`, { path });
    });
  }
  const more = deleted > 1 ? ` and ${deleted - 1} descendant${deleted > 2 ? "s" : ""}` : "";
  const text = `Deleted ${path}${more}\n`;
  out(render(format, { value: { path, deleted }, dir: [path], text }));
  return 0;
}

/**
 * Prints the tree under a path.
 *
 * @param ctx The command's context.
 * @param path The path it is about.
 * @returns The exit code.
 */
async function treeCommand(ctx: CommandContext, path: string): Promise<number> {
  const { registry, format, out, signal } = ctx;
  const zk = clientOf(registry, "read", path);
  const tree: Tree = { path, ...await interruptible(readTree(zk, path), signal) };
  out(render(format, { value: tree, dir: treePaths(tree), text: formatTree(tree) }));
  return 0;
}
