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
