// Makes the published declarations self-sufficient under any tsconfig (a
// `tsc --init` project has `types: []`, a plain one may target ES2022): each
// .d.ts that names the disposable interfaces references the lib that declares
// them, and each that imports a `node:` module references Node's types, which
// only the Node-only entries need. Sources stay free of these directives,
// which Deno and JSR do not need.
// Usage: node scripts/declaration_refs.mjs <file.d.ts | dir>...
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function* declarations(path) {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path)) yield* declarations(join(path, name));
  } else if (path.endsWith(".d.ts")) {
    yield path;
  }
}

for (const root of process.argv.slice(2)) {
  for (const file of declarations(root)) {
    const text = readFileSync(file, "utf8");
    const refs = [];
    if (/\b(Async)?Disposable\b|Symbol\.(async)?[dD]ispose\b/.test(text)) {
      refs.push('/// <reference lib="esnext.disposable" />');
    }
    if (/from "node:|import\("node:/.test(text)) refs.push('/// <reference types="node" />');
    if (refs.length > 0) writeFileSync(file, refs.join("\n") + "\n" + text);
  }
}
