/**
 * One clock: above the transport, nothing reads the time or sets a timer but
 * through a `Clock`, so that a fake clock given to `ZooKeeper.connect`,
 * `Registry.connect` or `serve` drives every wait, timeout and backoff.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Compiled for Node, this file runs from dist/tests/: the sources are two up.
const compiled = import.meta.url.endsWith(".js");
const root = fileURLToPath(new URL(compiled ? "../.." : "..", import.meta.url));

/** Where the real clock is allowed: itself, sockets, real processes, the browser page. */
const EXEMPT = [
  "src/util/clock.ts",
  "src/transport/",
  "src/testing/", // fixtures of real servers and sockets; FakeClock itself
  "src/http/page_js.ts", // runs in the browser
];

/** Direct reads of time and timers: a call not made on an object (`clock.now()` is fine). */
const DIRECT =
  /(?<![.\w])(?:setTimeout|setInterval|clearTimeout|clearInterval|setImmediate)\s*\(|\bAbortSignal\.timeout\s*\(|\bDate\.now\s*\(|\bperformance\.now\s*\(|\bnew Date\s*\(\s*\)/;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/** The code of a line, without a trailing `//` comment or a JSDoc line. */
function code(line: string): string {
  if (/^\s*(\*|\/\*\*|\/\/)/.test(line)) return "";
  return line.replace(/\s\/\/.*$/, "");
}

/**
 * The lines of `text` that read the time or set a timer directly.
 *
 * @param text A source file.
 * @returns `line: text` of each.
 */
export function directTimeReads(text: string): string[] {
  return text.split("\n").flatMap((line, i) =>
    DIRECT.test(code(line)) ? [`${i + 1}: ${line.trim()}`] : []
  );
}

describe("one clock", () => {
  it("directTimeReads() finds global timers and clocks, not a Clock's methods", () => {
    const text = [
      "const t = setTimeout(f, 10);",
      "clock.setTimeout(f, 10);",
      "const a = Date.now();",
      "const b = this.#clock.now();",
      "const c = performance.now();",
      "const d = new Date();",
      "const e = new Date(clock.wallNow());",
      "const i = setInterval(f, 5);",
      "const s = AbortSignal.timeout(100);",
      " * calls setTimeout() in a comment",
      "x(); // Date.now() in a comment",
    ].join("\n");
    assert.deepEqual(directTimeReads(text), [
      "1: const t = setTimeout(f, 10);",
      "3: const a = Date.now();",
      "5: const c = performance.now();",
      "6: const d = new Date();",
      "8: const i = setInterval(f, 5);",
      "9: const s = AbortSignal.timeout(100);",
    ]);
  });

  it("no file above the transport reads the time or sets a timer but through a Clock", () => {
    const found = ["mod.ts", ...sources("src")]
      .filter((file) => !EXEMPT.some((e) => file === e || (e.endsWith("/") && file.startsWith(e))))
      .flatMap((file) =>
        directTimeReads(readFileSync(join(root, file), "utf8")).map((l) => `${file}:${l}`)
      );
    assert.deepEqual(found, []);
  });
});
