/**
 * Runs the code examples of README.md and docs/*.md on the runtimes each one
 * names, as a reader would run them: on Deno from these sources, on Node 20
 * and Bun from the packed npm package (scripts/build_npm.sh) installed in a
 * fresh project, TypeScript compiled first for Node.
 *
 * A block's info string names its language, then its runtimes and fixtures:
 * ```` ```ts deno node bun ````, ```` ```js node deno bun sasl ```` (a server
 * that accepts SASL logins), or ```` ```ts check ```` for an example that
 * needs what a test cannot give it (certificates, a hostname, an ensemble) and
 * is only type-checked (`deno check --doc-only`). A ts or js block with no tag
 * is an error, so that no example is forgotten.
 *
 * Each run gets its own ZooKeeper chroot: `"127.0.0.1:2181"` in the code and
 * `$ZK_SERVERS` name it. An example passes when its top-level code completes
 * without throwing within the time limit (sessions it leaves open do not hold
 * it).
 *
 * Usage: deno run -A scripts/doc_examples.ts [files.md...]
 *
 * @module
 */

import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { ZooKeeper } from "../mod.ts";
import { TestingServer } from "../src/testing/mod.ts";

const RUNTIMES = ["deno", "node", "bun"] as const;
type Runtime = typeof RUNTIMES[number];
const FIXTURES = ["sasl"] as const;
const SASL_USERS = { bob: "bob's secret" };
const TIME_LIMIT_MS = 60_000;

interface Example {
  file: string;
  line: number;
  lang: "ts" | "js";
  code: string;
  runtimes: Runtime[];
  fixture: "zk" | "sasl";
}

const repo = resolve(new URL("..", import.meta.url).pathname);

/** Reads the tagged code blocks of a markdown file. */
async function examplesOf(file: string): Promise<Example[]> {
  const lines = (await readFile(join(repo, file), "utf8")).split("\n");
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|js|typescript|javascript)\b(.*)$/.exec(lines[i]);
    if (open === null) {
      if (lines[i].startsWith("```")) i = closing(lines, i, file);
      continue;
    }
    const end = closing(lines, i, file);
    const tags = open[2].trim().split(/\s+/).filter((t) => t !== "");
    const where = `${file}:${i + 1}`;
    if (tags.length === 0) throw new Error(`${where}: an example without runtimes (or "check")`);
    for (const tag of tags) {
      const known = tag === "check" || (RUNTIMES as readonly string[]).includes(tag) ||
        (FIXTURES as readonly string[]).includes(tag);
      if (!known) throw new Error(`${where}: unknown tag "${tag}"`);
    }
    examples.push({
      file,
      line: i + 1,
      lang: open[1].startsWith("t") ? "ts" : "js",
      code: lines.slice(i + 1, end).join("\n") + "\n",
      runtimes: RUNTIMES.filter((r) => tags.includes(r)),
      fixture: tags.includes("sasl") ? "sasl" : "zk",
    });
    i = end;
  }
  return examples;
}

function closing(lines: string[], open: number, file: string): number {
  for (let j = open + 1; j < lines.length; j++) if (lines[j] === "```") return j;
  throw new Error(`${file}:${open + 1}: a code block that never closes`);
}

/** Runs a command; resolves with its exit code and output. */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => output += chunk);
    child.stderr.on("data", (chunk) => output += chunk);
    const timer = setTimeout(() => {
      output += `\n(killed after ${TIME_LIMIT_MS} ms)`;
      child.kill("SIGKILL");
    }, TIME_LIMIT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

/** A fresh Node project with the packed package and the TypeScript compiler. */
async function nodeProject(): Promise<string> {
  const dist = join(repo, "dist");
  const tarball = (await readdir(dist)).find((f) => /^nd-service-registry-.*\.tgz$/.test(f));
  if (tarball === undefined) {
    throw new Error("no dist/nd-service-registry-*.tgz: run scripts/build_npm.sh");
  }
  const dir = await mkdtemp(join(tmpdir(), "doc-examples-"));
  await writeFile(
    join(dir, "package.json"),
    '{ "name": "doc-examples", "private": true, "type": "module" }\n',
  );
  const installed = await run("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--silent",
    join(dist, tarball),
  ], {
    cwd: dir,
  });
  if (installed.code !== 0) throw new Error(`npm install failed:\n${installed.output}`);
  return dir;
}

/** Compiles TypeScript examples to JavaScript for Node, as `tsc` would (ES2022, types erased). */
async function transpile(sources: Map<string, string>, dir: string): Promise<void> {
  const input = join(dir, "transpile-input.json");
  await writeFile(input, JSON.stringify(Object.fromEntries(sources)));
  const script = `
    const ts = require(${JSON.stringify(join(repo, "node_modules/typescript"))});
    const fs = require("node:fs");
    const sources = JSON.parse(fs.readFileSync(${JSON.stringify(input)}, "utf8"));
    for (const [name, code] of Object.entries(sources)) {
      const out = ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
      fs.writeFileSync(require("node:path").join(${JSON.stringify(dir)}, name), out.outputText);
    }`;
  const result = await run("node", ["-e", script], { cwd: dir });
  if (result.code !== 0) throw new Error(`transpiling failed:\n${result.output}`);
}

const files = process.argv.length > 2 ? process.argv.slice(2) : [
  "README.md",
  ...(await readdir(join(repo, "docs"))).filter((f) => f.endsWith(".md")).sort().map((f) =>
    `docs/${f}`
  ),
];
const examples = (await Promise.all(files.map(examplesOf))).flat();
const runnable = examples.filter((e) => e.runtimes.length > 0);
const needs = new Set(runnable.flatMap((e) => e.runtimes));

const servers: Record<Example["fixture"], TestingServer | undefined> = {
  zk: undefined,
  sasl: undefined,
};
servers.zk = await TestingServer.start();
if (runnable.some((e) => e.fixture === "sasl")) {
  servers.sasl = await TestingServer.start({ saslUsers: SASL_USERS });
}
const project = needs.has("node") || needs.has("bun") ? await nodeProject() : undefined;
const denoDir = await mkdtemp(join(repo, "dist", "doc-examples-deno-"));

interface Job {
  example: Example;
  runtime: Runtime;
  servers: string;
  module: string;
}
const jobs: Job[] = [];
const forNode = new Map<string, string>();
for (const [n, example] of runnable.entries()) {
  for (const runtime of example.runtimes) {
    const server = servers[example.fixture]!;
    const chroot = `/doc_examples/${n}_${runtime}`;
    const admin = await ZooKeeper.connect(server.connectString, {
      sasl: example.fixture === "sasl"
        ? { mechanism: "DIGEST-MD5", username: "bob", password: SASL_USERS.bob }
        : undefined,
    });
    await admin.create("/doc_examples").catch(() => {});
    await admin.create(chroot);
    await admin.close();
    const connect = `${server.connectString}${chroot}`;
    const code = example.code.replaceAll('"127.0.0.1:2181"', JSON.stringify(connect));
    const base = `example_${n}_${runtime}`;
    let module: string;
    if (runtime === "deno") {
      module = join(denoDir, `${base}.${example.lang}`);
      await writeFile(module, code);
    } else if (runtime === "node" && example.lang === "ts") {
      module = join(project!, `${base}.mjs`);
      forNode.set(`${base}.mjs`, code);
    } else {
      module = join(project!, `${base}.${example.lang === "ts" ? "ts" : "mjs"}`);
      await writeFile(module, code);
    }
    jobs.push({ example, runtime, servers: connect, module });
  }
}
if (forNode.size > 0) await transpile(forNode, project!);

const deno = join(repo, "node_modules/.bin/deno");
const bun = join(repo, "node_modules/.bin/bun");
const failures: string[] = [];
for (const job of jobs) {
  const driver = `await import(${JSON.stringify(new URL(`file://${job.module}`).href)});\n` +
    (job.runtime === "deno" ? "Deno.exit(0);\n" : "process.exit(0);\n");
  const driverFile = `${job.module}.driver.mjs`;
  await writeFile(driverFile, driver);
  const env = { ZK_SERVERS: job.servers };
  const result = job.runtime === "deno"
    ? await run(deno, [
      "run",
      "-A",
      "--no-check",
      `--config=${join(repo, "deno.json")}`,
      driverFile,
    ], {
      cwd: repo,
      env,
    })
    : job.runtime === "node"
    ? await run("node", [driverFile], { cwd: project!, env })
    : await run(bun, [driverFile], { cwd: project!, env });
  const name = `${job.example.file}:${job.example.line} on ${job.runtime}`;
  if (result.code === 0) {
    console.log(`ok   ${name}`);
  } else {
    console.log(`FAIL ${name} (exit ${result.code})\n${result.output.replace(/^/gm, "     ")}`);
    failures.push(name);
  }
}

await Promise.all([servers.zk?.close(), servers.sasl?.close()]);
await rm(denoDir, { recursive: true, force: true });
if (project !== undefined) await rm(project, { recursive: true, force: true });
const checked = examples.length - runnable.length;
console.log(
  `${jobs.length - failures.length} of ${jobs.length} runs passed ` +
    `(${runnable.length} examples; ${checked} type-checked only)`,
);
if (failures.length > 0) process.exit(1);
