/**
 * A YAML emitter for the command line's output: block style, keys in their
 * order, strings left plain when YAML reads them back as the same string and
 * double-quoted otherwise. It writes what the CLI prints (JSON values,
 * `bigint` ids); it is not a general YAML library.
 *
 * @module
 */

// Words YAML 1.1 or 1.2 parsers read as null, booleans or merge keys.
const RESERVED = /^(null|~|true|false|yes|no|on|off|y|n|<<|=)$/i;
// Anything a parser may take for a number: digits first (possibly signed or
// after a dot), or infinity and not-a-number.
const NUMBER_LIKE = /^[-+]?(\.?\d|\.inf$|\.nan$)/i;
// Characters that start a YAML token other than a plain scalar.
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`\s]/;
// Characters never left plain: controls, line breaks, the BOM, surrogates.
// deno-lint-ignore no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ud800-\udfff]/;

/**
 * Whether a string must be quoted to be read back as the same string.
 *
 * @param text The string.
 * @returns `true` when it must be quoted.
 */
export function needsQuotes(text: string): boolean {
  return text === "" || RESERVED.test(text) || NUMBER_LIKE.test(text) ||
    INDICATOR.test(text) || UNPRINTABLE.test(text) || /\s$/.test(text) ||
    text.includes(": ") || text.includes(" #") || text.endsWith(":");
}

/**
 * A string as a YAML scalar: plain when it can be, else double-quoted (JSON's
 * escapes are valid in YAML's double-quoted style).
 *
 * @param text The string.
 * @returns The scalar.
 */
export function yamlString(text: string): string {
  if (!needsQuotes(text)) return text;
  // JSON.stringify leaves these raw, but YAML reads NEL and the line and
  // paragraph separators as line breaks and wants the rest escaped.
  return JSON.stringify(text).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Whether a value is written as a block of lines (a non-empty list or mapping). */
function isBlock(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return isObject(value) && Object.values(value).some((v) => v !== undefined);
}

function scalar(value: unknown): string {
  switch (typeof value) {
    case "string":
      return yamlString(value);
    case "number":
      return Number.isFinite(value)
        ? String(value)
        : value > 0
        ? ".inf"
        : value < 0
        ? "-.inf"
        : ".nan";
    case "bigint":
    case "boolean":
      return String(value);
  }
  if (Array.isArray(value)) return "[]";
  if (isObject(value)) return "{}";
  return "null";
}

function blockLines(value: unknown, indent: string): string[] {
  const lines: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isBlock(item)) {
        // The item's first line goes on the dash's line: "- key: value".
        const inner = blockLines(item, indent + "  ");
        lines.push(`${indent}- ${inner[0].slice(indent.length + 2)}`, ...inner.slice(1));
      } else {
        lines.push(`${indent}- ${scalar(item)}`);
      }
    }
    return lines;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === undefined) continue;
    if (isBlock(item)) {
      lines.push(`${indent}${yamlString(key)}:`, ...blockLines(item, indent + "  "));
    } else lines.push(`${indent}${yamlString(key)}: ${scalar(item)}`);
  }
  return lines;
}

/**
 * Serializes a value as a YAML document in block style.
 *
 * @param value A JSON value; `bigint`s are written as integers, `undefined`
 *   properties are left out.
 * @returns The document, ending with a newline.
 */
export function toYaml(value: unknown): string {
  return isBlock(value) ? blockLines(value, "").join("\n") + "\n" : scalar(value) + "\n";
}
