import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { toYaml } from "../src/cli/yaml.ts";

describe("toYaml", () => {
  it("toYaml() writes block mappings and lists, and quotes what would read back otherwise", () => {
    const value = {
      plain: ["web", "/services/web", "host1:8080", "héllo", "a-b"],
      quoted: [
        "",
        "8080",
        "-1",
        ".5",
        "true",
        "No",
        "null",
        "~",
        "- x",
        "a: b",
        "a #b",
        "x:",
        " a",
      ],
      escaped: ["two\nlines", "tab\t", "nel\u0085", "sep\u2028"],
      numbers: [0, -1.5, 12345678901234567890n],
      empty: { list: [], map: {} },
      nested: [{ a: 1, b: [true, null] }, [1, 2]],
      "key: colon": null,
    };
    assert.equal(
      toYaml(value),
      [
        "plain:",
        "  - web",
        "  - /services/web",
        "  - host1:8080",
        "  - héllo",
        "  - a-b",
        "quoted:",
        ...value.quoted.map((s) => `  - ${JSON.stringify(s)}`),
        "escaped:",
        '  - "two\\nlines"',
        '  - "tab\\t"',
        '  - "nel\\u0085"',
        '  - "sep\\u2028"',
        "numbers:",
        "  - 0",
        "  - -1.5",
        "  - 12345678901234567890",
        "empty:",
        "  list: []",
        "  map: {}",
        "nested:",
        "  - a: 1",
        "    b:",
        "      - true",
        "      - null",
        "  - - 1",
        "    - 2",
        '"key: colon": null',
        "",
      ].join("\n"),
    );
    assert.equal(toYaml("yes"), '"yes"\n');
    assert.equal(toYaml(null), "null\n");
  });
});
