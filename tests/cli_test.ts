import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { once } from "node:events";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { CREATOR_ALL_ACL, ZooKeeper } from "../mod.ts";
import { main } from "../src/cli/main.ts";
import { eventually, within } from "./helpers/wait.ts";
import { repoRoot } from "./helpers/peer.ts";
import type { ZkServer } from "./helpers/zk_server.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { assertCliError, cli, cliChildren, startCli } from "./helpers/cli_process.ts";

const decoder = new TextDecoder();

describe("the command-line tool", () => {
  const fx = useZooKeeper();
  let server: ZkServer;
  let zk: ZooKeeper;
  let servers: string[];

  before(async () => {
    server = fx.server;
    fx.defer(() => {
      for (const child of cliChildren) child.kill("SIGKILL");
    });
    zk = await fx.connect();
    servers = ["--servers", server.connectString];
  });

  it("set then get --json gives the data back, with bigints as strings", async () => {
    const data = { port: 8080, tags: ["a", "b"], nested: { on: true, none: null } };
    const set = await cli(
      "set",
      "/cli/config",
      JSON.stringify(data),
      "--format",
      "text",
      ...servers,
    );
    assert.equal(set.code, 0, set.err);
    assert.match(set.out, /^Set \/cli\/config to /);
    await zk.create("/cli/config/child", '{"x":1}');
    const get = await cli("get", "/cli/config", "--json", ...servers);
    assert.equal(get.code, 0, get.err);
    assert.equal(get.out.split("\n").length, 1);
    const result = JSON.parse(get.out);
    assert.equal(result.path, "/cli/config");
    assert.deepEqual(result.data, data);
    assert.deepEqual({ ...result.children }, { child: { x: 1 } });
    assert.equal(result.stale, false);
    assert.equal(typeof result.stat.czxid, "string");
    assert.equal(result.stat.ephemeralOwner, "0");
    assert.equal(result.stat.version, 0);
    const pretty = await cli(...servers, "get", "/cli/config", "--format=text");
    assert.equal(pretty.code, 0, pretty.err);
    assert.match(pretty.out, /^\/cli\/config\n {2}data: +\{"port":8080,/);
    assert.match(pretty.out, /\n {4}child {2}\{"x":1\}$/);
  });

  it("get prints YAML by default, quoting the strings that need it", async () => {
    await zk.create("/cli/yaml", '{"port":8080,"name":"web","id":"8080","on":"yes","note":"a: b"}');
    await zk.create("/cli/yaml/host1:8080", '{"weight":1}');
    await zk.create("/cli/yaml/10.0.0.2:80", "");
    const result = await cli("get", "/cli/yaml", ...servers);
    assert.equal(result.code, 0, result.err);
    const lines = result.out.split("\n");
    assert.deepEqual(lines.slice(0, 7), [
      "path: /cli/yaml",
      "data:",
      "  port: 8080",
      "  name: web",
      '  id: "8080"',
      '  "on": "yes"',
      '  note: "a: b"',
    ]);
    assert.equal(lines[7], "stat:");
    assert.ok(lines.includes("  ephemeralOwner: 0"), result.out);
    assert.match(result.out, /^ {2}czxid: \d+$/m);
    const children = lines.slice(lines.indexOf("children:") + 1, lines.indexOf("stale: false"));
    assert.deepEqual(
      children.sort(),
      ['  "10.0.0.2:80": null', "  host1:8080:", "    weight: 1"].sort(),
    );
    assert.equal(lines.at(-1), "stale: false");
  });

  it("--format dir prints the children's names one per line; get without a path reads /", async () => {
    await zk.create("/cli/dir", "");
    for (const name of ["b", "a:1", "c"]) await zk.create(`/cli/dir/${name}`, "{}");
    const dir = await cli("get", "/cli/dir", "--format", "dir", ...servers);
    assert.equal(dir.code, 0, dir.err);
    assert.deepEqual(dir.out.split("\n").sort(), ["a:1", "b", "c"]);
    const empty = await cli("get", "/cli/dir/c", "--outputformat", "dir", ...servers);
    assert.deepEqual([empty.code, empty.out], [0, ""]);
    const root = await cli("get", "--format", "dir", ...servers);
    assert.equal(root.code, 0, root.err);
    assert.ok(root.out.split("\n").includes("cli"), root.out);
    assert.ok(root.out.split("\n").includes("zookeeper"), root.out);
    const rootYaml = await cli("get", "-q", ...servers);
    assert.equal(rootYaml.code, 0, rootYaml.err);
    assert.match(rootYaml.out, /^path: \/\ndata: null\n/);
  });

  it("watch --format dir prints the list of children on every change, then an empty line", async () => {
    await zk.create("/cli/pool", "");
    await zk.create("/cli/pool/one", "");
    const running = startCli(["watch", "/cli/pool", "--format", "dir", ...servers]);
    assert.deepEqual([await running.nextLine(), await running.nextLine()], ["one", ""]);
    await zk.create("/cli/pool/two", "");
    const next = [await running.nextLine(), await running.nextLine(), await running.nextLine()];
    assert.deepEqual(next.slice(0, 2).sort(), ["one", "two"]);
    assert.equal(next[2], "");
    running.interrupt();
    assert.equal(await running.exited, 130, running.stderr());
  });

  it("--username and --password authenticate with digest credentials", async () => {
    await using owner = await ZooKeeper.connect(server.connectString, {
      auth: [{ scheme: "digest", auth: "alice:secret" }],
    });
    await owner.create("/cli/private", '{"key":1}', { acl: [...CREATOR_ALL_ACL] });
    assertCliError(await cli("get", "/cli/private", ...servers), 1, "not authorized");
    const wrong = await cli("get", "/cli/private", "-u", "alice", "-p", "wrong", ...servers);
    assert.equal(wrong.code, 1);
    const ok = await cli(
      "get",
      "/cli/private",
      "--username",
      "alice",
      "--password",
      "secret",
      "--json",
      ...servers,
    );
    assert.equal(ok.code, 0, ok.err);
    assert.deepEqual(JSON.parse(ok.out).data, { key: 1 });
    const set = await cli("set", "/cli/owned", "1", "-u", "bob", "-p", "pw", "--json", ...servers);
    assert.equal(set.code, 0, set.err);
    const acl = await zk.getACL("/cli/owned");
    assert.ok(
      acl.acl.some((entry) => entry.id.scheme === "digest" && entry.id.id.startsWith("bob:")),
    );
    // Everyone reads the nodes it creates; only bob writes them.
    const read = await cli("get", "/cli/owned", "--json", ...servers);
    assert.equal(JSON.parse(read.out).data, 1);
    assertCliError(await cli("set", "/cli/owned", "2", ...servers), 1, "not authorized");
    const again = await cli("set", "/cli/owned", "2", "-u", "bob", "-p", "pw", ...servers);
    assert.equal(again.code, 0, again.err);
    assert.equal(new TextDecoder().decode((await zk.getData("/cli/owned")).data), "2");
  });

  it("get of a missing node fails with exit 1", async () => {
    assertCliError(await cli("get", "/cli/missing", ...servers), 1, 'Cannot read "/cli/missing"');
  });

  it("tree prints the subtree indented, or as JSON", async () => {
    await zk.create("/cli/tree", "");
    await zk.create("/cli/tree/b", '{"port":2}');
    await zk.create("/cli/tree/a", "plain text");
    await zk.create("/cli/tree/a/deep", '"x".repeat');
    const pretty = await cli("tree", "/cli/tree", "--format", "text", ...servers);
    assert.equal(pretty.code, 0, pretty.err);
    assert.equal(
      pretty.out,
      ["/cli/tree", '  a  "plain text"', '    deep  "\\"x\\".repeat"', '  b  {"port":2}'].join(
        "\n",
      ),
    );
    const json = await cli("tree", "/cli/tree", "--json", ...servers);
    assert.equal(json.code, 0, json.err);
    const dir = await cli("tree", "/cli/tree", "--format", "dir", ...servers);
    assert.equal(dir.code, 0, dir.err);
    assert.equal(
      dir.out,
      ["/cli/tree", "/cli/tree/a", "/cli/tree/a/deep", "/cli/tree/b"].join("\n"),
    );
    const yaml = await cli("tree", "/cli/tree", ...servers);
    assert.equal(yaml.code, 0, yaml.err);
    assert.equal(
      yaml.out,
      [
        "path: /cli/tree",
        "data: null",
        "children:",
        "  a:",
        "    data: plain text",
        "    children:",
        "      deep:",
        '        data: "\\"x\\".repeat"',
        "        children: {}",
        "  b:",
        "    data:",
        "      port: 2",
        "    children: {}",
      ].join("\n"),
    );
    assert.deepEqual(JSON.parse(json.out), {
      path: "/cli/tree",
      data: null,
      children: {
        a: { data: "plain text", children: { deep: { data: '"x".repeat', children: {} } } },
        b: { data: { port: 2 }, children: {} },
      },
    });
  });

  it("delete removes a node; a subtree needs --recursive; a missing node is an error", async () => {
    await zk.create("/cli/del", "");
    await zk.create("/cli/del/leaf", "");
    await zk.create("/cli/del/sub", "");
    await zk.create("/cli/del/sub/x", "");
    const leaf = await cli("delete", "/cli/del/leaf", "--format", "text", ...servers);
    assert.equal(leaf.code, 0, leaf.err);
    assert.equal(leaf.out, "Deleted /cli/del/leaf");
    assert.equal(await zk.exists("/cli/del/leaf"), null);
    assertCliError(
      await cli("delete", "/cli/del", ...servers),
      1,
      /node has children.*--recursive/,
    );
    assert.notEqual(await zk.exists("/cli/del"), null);
    const all = await cli("delete", "--recursive", "/cli/del", "--json", ...servers);
    assert.equal(all.code, 0, all.err);
    assert.deepEqual(JSON.parse(all.out), { path: "/cli/del", deleted: 3 });
    assert.equal(await zk.exists("/cli/del"), null);
    assertCliError(
      await cli("delete", "/cli/del", ...servers),
      1,
      'Cannot delete "/cli/del": node does not exist',
    );
  });

  it("register holds an ephemeral node until SIGINT, then removes it and exits 130", async () => {
    const path = "/cli/services/web/host1:8080";
    const running = startCli(["register", path, '{"weight":3}', "--json", ...servers]);
    const printed = JSON.parse(await running.nextLine());
    assert.equal(printed.path, path);
    assert.equal(printed.data.weight, 3);
    const stat = await zk.exists(path);
    assert.ok(stat !== null && stat.ephemeralOwner !== 0n, "an ephemeral node");
    assert.equal(printed.stat.ephemeralOwner, stat.ephemeralOwner.toString());
    const { data } = await zk.getData(path);
    assert.equal(JSON.parse(decoder.decode(data)).weight, 3);
    running.interrupt();
    assert.equal(await running.exited, 130, running.stderr());
    assert.equal(await zk.exists(path), null);
  });

  it("register drains on SIGTERM: the node goes first, the exit after the grace", async () => {
    const path = "/cli/services/web/host2:8080";
    const running = startCli(["register", path, "--json", ...servers], { ZK_DRAIN_GRACE: "1500" });
    JSON.parse(await running.nextLine());
    assert.ok(await zk.exists(path));
    let exited = false;
    running.exited.then(() => exited = true);
    // Real time: the grace runs in another process, where no fake clock reaches.
    const start_ = Date.now();
    running.interrupt("SIGTERM");
    await eventually(async () => (await zk.exists(path)) === null, "the node to go");
    assert.equal(exited, false, "still running during the grace");
    assert.equal(await running.exited, 0, running.stderr());
    assert.ok(Date.now() - start_ >= 1400, `exited after ${Date.now() - start_} ms`);
  });

  it("watch --json prints the current state, then a line per change, until SIGINT (exit 130)", async () => {
    await zk.create("/cli/watched", '{"v":0}');
    const running = startCli(["watch", "/cli/watched", "--json", ...servers]);
    const first = JSON.parse(await running.nextLine());
    assert.deepEqual([first.path, first.data, first.children], ["/cli/watched", { v: 0 }, {}]);
    await zk.setData("/cli/watched", '{"v":1}');
    assert.deepEqual(JSON.parse(await running.nextLine()).data, { v: 1 });
    await zk.create("/cli/watched/child", '{"c":true}');
    const third = JSON.parse(await running.nextLine());
    assert.deepEqual([third.data, third.children], [{ v: 1 }, { child: { c: true } }]);
    running.interrupt();
    assert.equal(await running.exited, 130, running.stderr());
  });

  it("watch prints for people and ends on SIGTERM with exit 0", async () => {
    const running = startCli(["watch", "/cli/watched-too", "--format", "text", ...servers]);
    assert.match(
      await running.nextLine(),
      /^\[\d\d:\d\d:\d\d\] \/cli\/watched-too {2}\(does not exist\)$/,
    );
    await zk.create("/cli/watched-too", '{"up":1}');
    assert.match(await running.nextLine(), /^\[\d\d:\d\d:\d\d\] \/cli\/watched-too$/);
    assert.equal(await running.nextLine(), '  data:     {"up":1}');
    running.interrupt("SIGTERM");
    assert.equal(await running.exited, 0, running.stderr());
  });

  it("usage errors exit 2 with a one-line message", async () => {
    assertCliError(await cli("get", "foo", ...servers), 2, 'Invalid path "foo": must start with /');
    assertCliError(
      await cli("set", "/cli/x", "{oops", ...servers),
      2,
      /^Invalid JSON argument "\{oops": /,
    );
    assertCliError(await cli("register", "/cli/x", "[1]"), 2, "must be a JSON object");
    assertCliError(
      await cli("frobnicate", "/x"),
      2,
      'Unknown command "frobnicate": use one of get, watch, register, set, delete, tree, serve',
    );
    assertCliError(await cli("set", "/cli/x"), 2, "Missing argument JSON");
    assertCliError(
      await cli(),
      2,
      "Missing command: one of get, watch, register, set, delete, tree, serve",
    );
    assertCliError(await cli("get", "/a", "--bogus"), 2, 'Unknown option "--bogus"');
    assertCliError(await cli("get", "/a", "--timeout", "soon"), 2, 'Invalid --timeout "soon"');
    assertCliError(
      await cli("get", "/a", "--format", "xml"),
      2,
      'Invalid --format "xml": use one of yaml, json, dir, text',
    );
    assertCliError(await cli("get", "/a", "--password", "pw"), 2, "--password needs --username");
    assert.equal(await zk.exists("/cli/x"), null);
  });

  it("an unreachable ensemble exits 1 with a one-line message", async () => {
    const result = await cli("get", "/x", "--servers", "127.0.0.1:1", "--timeout", "500");
    assertCliError(result, 1, 'Cannot connect to ZooKeeper at "127.0.0.1:1": ');
  });

  it("--help prints the usage and --version the package's version", async () => {
    const help = await cli("--help");
    assert.equal(help.code, 0);
    assert.match(help.out, /^Usage: service-registry <command> \[options\]/);
    for (const command of ["get", "watch", "register", "set", "delete", "tree"]) {
      assert.match(help.out, new RegExp(`^ {2}${command} \\[?PATH`, "m"));
    }
    assert.equal(help.err, "");
    const version = await cli("--version");
    assert.equal(version.code, 0);
    const config = JSON.parse(await readFile(join(repoRoot, "deno.json"), "utf8"));
    assert.equal(version.out, config.version);
  });

  it("main() runs in-process, with its own streams, environment and signal", async () => {
    let out = "";
    let err = "";
    const controller = new AbortController();
    const io = {
      stdout: { write: (text: string) => out += text },
      stderr: { write: (text: string) => err += text },
      env: { ZK_SERVERS: server.connectString },
      signal: controller.signal,
    };
    assert.equal(await main(["set", "/cli/inproc", '{"a":1}', "--json"], io), 0, err);
    assert.deepEqual(JSON.parse(out).data, { a: 1 });
    out = "";
    const watching = main(["watch", "/cli/inproc", "--json"], io);
    await eventually(() => out.includes("\n"), "the first line of watch");
    assert.deepEqual(JSON.parse(out).data, { a: 1 });
    controller.abort();
    assert.equal(await watching, 130, `stopped by the signal, as by Ctrl-C: ${err}`);
    assert.equal(await main(["get", "bad"], io), 2);
    assert.equal(err, 'Invalid path "bad": must start with /\n');
    // Interrupted while connecting (to a server that accepts and never
    // answers): exit 130 without waiting for the timeout.
    err = "";
    const interrupted = new AbortController();
    let attempt: Promise<unknown> | undefined;
    // The server sees the connection while main() waits for the handshake:
    // that is the moment to interrupt it.
    const silent = createServer((socket) => {
      // Read and ignore the handshake: a socket that reads sees the hang-up.
      socket.resume();
      attempt ??= once(socket, "close");
      interrupted.abort();
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    const args = ["get", "/x", "--servers", `127.0.0.1:${port}`, "--timeout", "1000"];
    assert.equal(await main(args, { ...io, signal: interrupted.signal }), 130);
    assert.equal(err, "Interrupted\n");
    // main() abandons the attempt without a way to await it: the client
    // hangs up when the attempt's own timeout ends it.
    await within(attempt!, "the abandoned attempt to hang up");
    silent.close();
  });
});
