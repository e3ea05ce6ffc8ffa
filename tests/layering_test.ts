/**
 * The layers import one way: registry → client → session → protocol → jute →
 * transport → util. The entries (mod.ts, the command line in src/cli/) sit
 * above the registry and the gateway. This reads every file under src/ and fails on an
 * import that points up a layer, or on a file in a folder with no layer.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// Compiled for Node, this file runs from dist/tests/: the sources are two up.
const compiled = import.meta.url.endsWith(".js");
const root = fileURLToPath(new URL(compiled ? "../.." : "..", import.meta.url));

// Lower ranks are lower layers; a file may import its own rank or below.
const RANKS: Record<string, number> = {
  "src/util": 0,
  "src/transport": 1,
  "src/jute": 2,
  "src/protocol": 3,
  "src/session": 4,
  "src/client": 5,
  "src/registry": 6,
  "src/http": 7,
  "src/testing": 7,
  "src/cli": 8,
};
const ENTRY_RANK = 8;

function rankOf(file: string): number | undefined {
  const dir = dirname(file);
  if (dir === ".") return ENTRY_RANK;
  return RANKS[dir];
}

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/** The relative specifiers of a file's static, re-export and dynamic imports. */
export function importSpecifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*["']([^"']+)["']/gm,
    /^\s*import\s*["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) found.push(match[1]);
  }
  return found.filter((s) => s.startsWith("."));
}

/**
 * The import circles of a graph (file → the files it imports): one circle per
 * group of files that reach each other, written as the files in import order,
 * the first repeated at the end.
 */
export function importCycles(graph: Map<string, string[]>): string[][] {
  // Tarjan's strongly connected components, then a shortest circle through
  // the first file of each component, found breadth first.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    const selfImport = (graph.get(node) ?? []).includes(node);
    if (component.length > 1 || selfImport) components.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return components.map((component) => {
    const members = new Set(component);
    const start = component[0];
    const cameFrom = new Map<string, string>();
    const queue = [start];
    for (let i = 0; i < queue.length; i++) {
      for (const next of graph.get(queue[i]) ?? []) {
        if (!members.has(next) || cameFrom.has(next)) continue;
        cameFrom.set(next, queue[i]);
        queue.push(next);
      }
    }
    const circle = [start];
    for (let at = cameFrom.get(start)!; at !== start; at = cameFrom.get(at)!) circle.push(at);
    return [...circle, start].reverse();
  });
}

describe("layering", () => {
  const files = ["mod.ts", ...sources("src")];

  it("importSpecifiers() finds static, type, re-export and dynamic imports", () => {
    const text = [
      'import { a } from "./a.ts";',
      'import type {\n  B,\n} from "../b/b.ts";',
      'export { c } from "./c.ts";',
      'export * from "./d.ts";',
      'const e = await import("./e.ts");',
      'import "node:fs";',
    ].join("\n");
    assert.deepEqual(importSpecifiers(text).sort(), [
      "../b/b.ts",
      "./a.ts",
      "./c.ts",
      "./d.ts",
      "./e.ts",
    ]);
  });

  it("every file under src/ belongs to a layer", () => {
    const unplaced = files.filter((f) => rankOf(f) === undefined);
    assert.deepEqual(unplaced, []);
  });

  it("no import points up a layer", () => {
    const violations: string[] = [];
    for (const file of files) {
      const rank = rankOf(file)!;
      for (const specifier of importSpecifiers(readFileSync(join(root, file), "utf8"))) {
        const target = relative(root, resolve(root, dirname(file), specifier));
        const targetRank = rankOf(target);
        if (targetRank === undefined) {
          if (target.startsWith("src/")) violations.push(`${file} imports ${target}: no layer`);
          else violations.push(`${file} imports ${target}: outside src/`);
        } else if (targetRank > rank) {
          violations.push(`${file} imports ${target}, a higher layer`);
        }
      }
    }
    assert.deepEqual(violations, []);
  });

  it("importCycles() finds every import circle and nothing else", () => {
    const graph = new Map([
      ["a", ["b", "d"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["e"]],
      ["e", []],
      ["f", ["f"]],
    ]);
    assert.deepEqual(importCycles(graph), [["a", "b", "c", "a"], ["f", "f"]]);
  });

  it("no import circle exists under src/, type-only imports included", () => {
    const graph = new Map<string, string[]>();
    for (const file of files) {
      const targets = importSpecifiers(readFileSync(join(root, file), "utf8"))
        .map((specifier) => relative(root, resolve(root, dirname(file), specifier)));
      graph.set(file, targets);
    }
    assert.deepEqual(importCycles(graph).map((circle) => circle.join(" → ")), []);
  });

  it("every layer's folder has a mod.ts that says what it offers", () => {
    const layers = Object.keys(RANKS).filter((dir) => dir !== "src/cli");
    const missing = layers.filter((dir) => !files.includes(`${dir}/mod.ts`));
    assert.deepEqual(missing, []);
  });

  it("the layering check catches an import pointing up", () => {
    const file = "src/session/example.ts";
    const target = relative(root, resolve(root, dirname(file), "../client/zookeeper.ts"));
    assert.ok(rankOf(target)! > rankOf(file)!);
  });
});

describe("test files", () => {
  it("every test file takes describe and it from helpers/test.ts, which limits each test's time", () => {
    const direct = readdirSync(join(root, "tests"))
      .filter((name) => name.endsWith("_test.ts"))
      .filter((name) =>
        /from\s*["']node:test["']/.test(readFileSync(join(root, "tests", name), "utf8"))
      );
    assert.deepEqual(direct, []);
  });
});
