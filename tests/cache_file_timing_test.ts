/**
 * The cache file's timing on a fake clock: writes grouped for 20 ms, and a
 * lock file left by a crashed process taken over once it is 10 s old by the
 * clock's wall time.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CacheFile } from "../src/registry/cache_file.ts";
import type { NodeSnapshot } from "../src/registry/snapshot.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { idle, runNextTimer, track } from "./helpers/timing.ts";

const snapshot = (path: string): NodeSnapshot => ({
  path,
  data: "x",
  stat: null,
  children: {},
  stale: false,
});

const exists = (file: string) => stat(file).then(() => true, () => false);

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "cache-file-timing-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("the cache file on a fake clock", () => {
  it("writes what was put within 20 ms in one write, at 20 ms", async () => {
    await withDir(async (dir) => {
      const clock = new FakeClock();
      const file = join(dir, "cache.json");
      const cache = new CacheFile(file, (e) => assert.fail(String(e)), clock);
      cache.put(snapshot("/a"));
      clock.advance(10);
      cache.put(snapshot("/b"));
      assert.equal(clock.pending, 1, "one write for both");
      assert.equal(clock.nextAt, 20);
      clock.advance(9);
      await idle();
      assert.equal(await exists(file), false, "nothing written at 19 ms");
      clock.advance(1);
      assert.equal(clock.pending, 0, "the write started at 20 ms");
      await cache.flush(); // waits for the write under way
      const written = JSON.parse(await readFile(file, "utf8"));
      assert.deepEqual(Object.keys(written.entries).sort(), ["/a", "/b"]);
    });
  });

  it("takes over a lock file once it is older than 10 s by the clock's wall time", async () => {
    await withDir(async (dir) => {
      const file = join(dir, "cache.json");
      const lock = `${file}.lock`;
      await writeFile(lock, "");
      const seconds = Math.floor(Date.now() / 1000);
      await utimes(lock, seconds, seconds);
      const clock = new FakeClock({ wallStart: seconds * 1000 });
      const cache = new CacheFile(file, (e) => assert.fail(String(e)), clock);
      cache.put(snapshot("/a"));
      const flushing = track(cache.flush());
      while (flushing.state === "pending") {
        assert.equal(await exists(file), false, `not written at ${clock.now()} ms`);
        await Promise.race([runNextTimer(clock), flushing.done]);
      }
      assert.equal(flushing.state, "fulfilled", String(flushing.error));
      // Retries at 5, 15, 30, ... then every 50 ms: the first past 10 s, at
      // 10025 ms, removes the lock; the next, at 10075 ms, writes.
      assert.equal(clock.now(), 10_075);
      assert.equal(await exists(lock), false);
      assert.equal(await exists(file), true);
    });
  });
});
