import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { ZooKeeperError } from "../mod.ts";
import { pathProblem, validatePath } from "../src/protocol/path.ts";
import { parseConnectString } from "../src/session/connect_string.ts";

describe("validatePath()", () => {
  it("validatePath() accepts ZooKeeper's valid paths", () => {
    for (
      const p of [
        "/",
        "/a",
        "/a/b-c_d.e",
        "/ünïcødé/日本",
        "/a/..b",
        "/a/.b",
        "/...",
        "/a/b.",
        "/zookeeper",
      ]
    ) {
      assert.equal(validatePath(p), p);
    }
  });

  it("validatePath() refuses what ZooKeeper's PathUtils refuses, naming the path", () => {
    const bad: [string, RegExp][] = [
      ["", /empty/],
      ["a", /must start with \//],
      ["/a/", /must not end with \//],
      ["//", /must not end with \//],
      ["/a//b", /empty node name/],
      ["/a/./b", /relative node name "."/],
      ["/a/../b", /relative node name ".."/],
      ["/.", /relative node name "."/],
      ["/a/..", /relative node name ".."/],
      ["/a\u0000b", /null character/],
      ["/a\u0001b", /invalid character \\u0001/],
      ["/a\u007fb", /invalid character \\u007f/],
      ["/a\ud800b", /invalid character \\ud800/],
      ["/a\ufff0b", /invalid character \\ufff0/],
    ];
    for (const [path, reason] of bad) {
      assert.throws(() => validatePath(path), (e: unknown) => {
        assert.ok(e instanceof ZooKeeperError, path);
        assert.equal(e.name, "ZooKeeperError");
        assert.equal(e.code, "BADARGUMENTS");
        assert.equal(e.path, path);
        assert.ok(e.message.startsWith(`Invalid path "${path}": `), e.message);
        assert.match(e.message, reason);
        return true;
      });
    }
  });

  it("a trailing slash is allowed for sequential nodes, but not an empty name before it", () => {
    assert.equal(pathProblem("/a/", true), undefined);
    assert.match(pathProblem("/a//", true) ?? "", /empty node name/);
  });
});

describe("parseConnectString()", () => {
  it("parseConnectString() reads hosts, ports and a chroot", () => {
    assert.deepEqual(parseConnectString("127.0.0.1:2181"), {
      hosts: [{ host: "127.0.0.1", port: 2181 }],
      chroot: "",
    });
    assert.deepEqual(parseConnectString("zk1, zk2:2182 ,[::1]:2183,[fe80::1]/app/x"), {
      hosts: [
        { host: "zk1", port: 2181 },
        { host: "zk2", port: 2182 },
        { host: "::1", port: 2183 },
        { host: "fe80::1", port: 2181 },
      ],
      chroot: "/app/x",
    });
    assert.equal(parseConnectString("h:1/").chroot, "");
  });

  it("parseConnectString() refuses what it cannot read, with BADARGUMENTS", () => {
    for (
      const bad of ["", ",", "h:0", "h:65536", "h:x", "h:", "::1:2181", "[::1", "h/a//b", ":2181"]
    ) {
      assert.throws(
        () => parseConnectString(bad),
        (e: unknown) =>
          e instanceof ZooKeeperError && e.code === "BADARGUMENTS" &&
          e.message.startsWith(`Invalid connect string "${bad}"`),
        bad,
      );
    }
  });

  it("parseConnectString() says that a URL is not a connect string", () => {
    for (const url of ["http://127.0.0.1:8181", "zk://zk1:2181,zk2:2181/app", "HTTPS://h"]) {
      assert.throws(
        () => parseConnectString(url),
        (e: unknown) =>
          e instanceof ZooKeeperError && e.code === "BADARGUMENTS" &&
          e.message === `Invalid connect string "${url}": a URL, where host:port pairs were ` +
              `expected (such as "10.0.0.1:2181,10.0.0.2:2181/app")`,
        url,
      );
    }
  });
});
