import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { JuteReader } from "../src/jute/reader.ts";
import { JuteWriter } from "../src/jute/writer.ts";
import { OpCode } from "../src/protocol/constants.ts";
import { Chroot } from "../src/client/chroot.ts";
import { restoreWatchRequests, SET_WATCHES_MAX_BYTES } from "../src/client/watch_restore.ts";
import { type Watcher, WatchRegistry } from "../src/client/watch_registry.ts";
import { Deque } from "../src/session/deque.ts";
import { readSetWatches, readSetWatches2 } from "./helpers/server_codec.ts";

const w = (name: string): Watcher => Object.defineProperty(() => {}, "name", { value: name });
const names = (list: Iterable<Watcher>) => [...list].map((f) => f.name).sort();

describe("WatchRegistry.trigger()", () => {
  it("NodeDataChanged fires and removes data and exist watches, not child watches", () => {
    const r = new WatchRegistry();
    r.add("data", "/a", w("data"));
    r.add("exist", "/a", w("exist"));
    r.add("child", "/a", w("child"));
    assert.deepEqual(names(r.trigger("NodeDataChanged", "/a")), ["data", "exist"]);
    assert.deepEqual(names(r.trigger("NodeDataChanged", "/a")), []);
    assert.ok(r.has("child", "/a"));
  });

  it("NodeCreated fires exist watches; NodeChildrenChanged only child watches", () => {
    const r = new WatchRegistry();
    r.add("exist", "/a", w("exist"));
    r.add("child", "/a", w("child"));
    assert.deepEqual(names(r.trigger("NodeChildrenChanged", "/a")), ["child"]);
    assert.deepEqual(names(r.trigger("NodeCreated", "/a")), ["exist"]);
    assert.equal(r.size, 0);
  });

  it("NodeDeleted fires data, exist and child watches", () => {
    const r = new WatchRegistry();
    for (const kind of ["data", "exist", "child"] as const) r.add(kind, "/a", w(kind));
    assert.deepEqual(names(r.trigger("NodeDeleted", "/a")), ["child", "data", "exist"]);
  });

  it("one function set as data and exist watch fires once", () => {
    const r = new WatchRegistry();
    const f = w("f");
    r.add("data", "/a", f);
    r.add("exist", "/a", f);
    r.add("data", "/a", f);
    assert.equal(r.trigger("NodeDataChanged", "/a").length, 1);
  });

  it("persistent watches fire for every event of their node and stay", () => {
    const r = new WatchRegistry();
    r.add("persistent", "/a", w("p"));
    for (
      const type of [
        "NodeCreated",
        "NodeDataChanged",
        "NodeChildrenChanged",
        "NodeDeleted",
      ] as const
    ) {
      assert.deepEqual(names(r.trigger(type, "/a")), ["p"], type);
    }
    assert.deepEqual(names(r.trigger("NodeDataChanged", "/a/b")), []);
  });

  it("recursive watches fire for descendants, except for child-list changes", () => {
    const r = new WatchRegistry();
    r.add("persistentRecursive", "/a", w("a"));
    r.add("persistentRecursive", "/", w("root"));
    assert.deepEqual(names(r.trigger("NodeCreated", "/a/b/c")), ["a", "root"]);
    assert.deepEqual(names(r.trigger("NodeDataChanged", "/a")), ["a", "root"]);
    assert.deepEqual(names(r.trigger("NodeDeleted", "/ab")), ["root"]);
    assert.deepEqual(names(r.trigger("NodeChildrenChanged", "/a")), []);
  });

  it("matches recursive watches the same whether few or many are held", () => {
    for (const extra of [0, 20]) {
      const r = new WatchRegistry();
      r.add("persistentRecursive", "/a/b", w("ab"));
      r.add("persistentRecursive", "/a", w("a"));
      for (let i = 0; i < extra; i++) r.add("persistentRecursive", `/x${i}`, w(`x${i}`));
      assert.deepEqual(names(r.trigger("NodeDataChanged", "/a/b/c")), ["a", "ab"], `${extra}`);
      assert.deepEqual(names(r.trigger("NodeDataChanged", "/a/bc")), ["a"], `${extra}`);
      assert.deepEqual(names(r.trigger("NodeDataChanged", "/x1")), extra ? ["x1"] : [], `${extra}`);
      r.remove("persistentRecursive", "/a", r.trigger("NodeCreated", "/a")[0]);
      assert.deepEqual(names(r.trigger("NodeDataChanged", "/a/b")), ["ab"], `${extra}`);
    }
  });

  it("recursive watchers are called deepest first, whether few or many are held", () => {
    for (const extra of [0, 20]) {
      const r = new WatchRegistry();
      r.add("persistentRecursive", "/", w("root"));
      r.add("persistentRecursive", "/a", w("a"));
      r.add("persistentRecursive", "/a/b", w("ab"));
      for (let i = 0; i < extra; i++) r.add("persistentRecursive", `/x${i}`, w(`x${i}`));
      const order = r.trigger("NodeDataChanged", "/a/b/c").map((f) => f.name);
      assert.deepEqual(order, ["ab", "a", "root"], `${extra}`);
    }
  });

  it("a function watching one path in several ways fires once", () => {
    const r = new WatchRegistry();
    const f = w("f");
    r.add("data", "/a/b", f);
    r.add("persistent", "/a/b", f);
    r.add("persistentRecursive", "/a", f);
    r.add("persistentRecursive", "/a", w("g"));
    assert.deepEqual(names(r.trigger("NodeDataChanged", "/a/b")), ["f", "g"]);
    assert.deepEqual(names(r.trigger("NodeDataChanged", "/a/b")), ["f", "g"]);
  });

  it("the watchers handed out for an event stay as they were when it came", () => {
    const r = new WatchRegistry();
    const p = w("p");
    r.add("persistent", "/a", p);
    const fired = r.trigger("NodeDataChanged", "/a");
    r.add("persistent", "/a", w("later"));
    r.remove("persistent", "/a", p);
    assert.deepEqual(names(fired), ["p"]);
    assert.deepEqual(names(r.trigger("NodeDataChanged", "/a")), ["later"]);
  });

  it("a one-shot watch fired and set again takes its path's former entry", () => {
    // A node whose data keeps changing has its watch fired and set again on
    // each change: a new entry each time would lengthen a chain of the hash
    // table (see LazyDeleteMap), and would move the path to the end.
    const r = new WatchRegistry();
    const a = w("a");
    r.add("data", "/a", a);
    r.add("data", "/b", w("b"));
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(names(r.trigger("NodeDataChanged", "/a")), ["a"]);
      assert.equal(r.has("data", "/a"), false);
      assert.deepEqual(r.paths("data"), ["/b"]);
      assert.equal(r.size, 1);
      r.add("data", "/a", a);
    }
    assert.deepEqual(r.paths("data"), ["/a", "/b"]);
    assert.equal(r.size, 2);
  });

  it("forgets fired one-shot watches however many fire, and a kind never used stays empty", () => {
    const r = new WatchRegistry();
    const paths = Array.from({ length: 40 }, (_, i) => `/n${i}`);
    for (const path of paths) r.add("data", path, w(path));
    for (const path of paths.slice(2)) r.trigger("NodeDataChanged", path);
    assert.deepEqual(r.paths("data"), ["/n0", "/n1"]);
    assert.equal(r.size, 2);
    assert.deepEqual(names(r.all()), ["/n0", "/n1"]);
    r.add("data", "/n39", w("again"));
    assert.deepEqual(r.paths("data").sort(), ["/n0", "/n1", "/n39"]);
    // Reads and removals of kinds never added to leave them empty, here and
    // in every other registry.
    const fresh = new WatchRegistry();
    fresh.trigger("NodeDeleted", "/x");
    assert.equal(fresh.remove("child", "/x", w("x")), false);
    assert.deepEqual(fresh.removeAll("exist", "/x"), []);
    fresh.clear();
    assert.equal(fresh.size, 0);
    assert.equal(new WatchRegistry().size, 0);
  });
});

describe("restoreWatchRequests()", () => {
  function decode(opcode: number, encode: (w: JuteWriter) => void) {
    const writer = new JuteWriter();
    encode(writer);
    const r = new JuteReader(writer.bytes());
    return opcode === OpCode.setWatches2 ? readSetWatches2(r) : readSetWatches(r);
  }

  it("sends nothing when no watch is held", () => {
    assert.deepEqual(restoreWatchRequests(new WatchRegistry(), new Chroot(""), 5n), []);
  });

  it("uses SetWatches for one-shot watches and SetWatches2 once a persistent watch exists", () => {
    const r = new WatchRegistry();
    r.add("data", "/d", w("d"));
    r.add("exist", "/e", w("e"));
    r.add("child", "/c", w("c"));
    const [one] = restoreWatchRequests(r, new Chroot("/app"), 77n);
    assert.equal(one.opcode, OpCode.setWatches);
    assert.deepEqual(decode(one.opcode, one.encode), {
      relativeZxid: 77n,
      dataWatches: ["/app/d"],
      existWatches: ["/app/e"],
      childWatches: ["/app/c"],
    });
    r.add("persistentRecursive", "/", w("all"));
    const [two] = restoreWatchRequests(r, new Chroot("/app"), 78n);
    assert.equal(two.opcode, OpCode.setWatches2);
    const decoded = decode(two.opcode, two.encode);
    assert.ok("persistentRecursiveWatches" in decoded);
    assert.deepEqual(decoded.persistentRecursiveWatches, ["/app"]);
  });

  it("splits 50,000 watches into batches under 128 KB that carry each path once", () => {
    const r = new WatchRegistry();
    const f = w("f");
    for (let i = 0; i < 50_000; i++) {
      r.add(i % 2 ? "data" : "child", `/services/some-service/instance-${i}`, f);
    }
    const requests = restoreWatchRequests(r, new Chroot(""), 1n);
    assert.ok(requests.length > 1);
    const seen = new Set<string>();
    for (const req of requests) {
      const writer = new JuteWriter();
      req.encode(writer);
      assert.ok(writer.length <= SET_WATCHES_MAX_BYTES + 64, `batch of ${writer.length} bytes`);
      const d = decode(req.opcode, req.encode);
      for (const p of [...d.dataWatches, ...d.childWatches]) {
        assert.ok(!seen.has(p), p);
        seen.add(p);
      }
    }
    assert.equal(seen.size, 50_000);
  });
});

describe("Deque", () => {
  it("keeps FIFO order across growth and wrap-around", () => {
    const q = new Deque<number>();
    const out: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 7; i++) q.push(next++);
      for (let i = 0; i < 5; i++) out.push(q.shift()!);
    }
    out.push(...q.drain());
    assert.deepEqual(out, Array.from({ length: next }, (_, i) => i));
    assert.equal(q.size, 0);
    assert.equal(q.shift(), undefined);
  });
});
