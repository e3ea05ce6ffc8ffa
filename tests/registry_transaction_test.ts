/**
 * One transaction, one callback: the events of one zxid (a multi, a
 * session's close removing its ephemeral nodes) are published once, whole.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { Registry, type Transport } from "../mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { requestCounter } from "./helpers/request_counter.ts";
import { eventually, within } from "./helpers/wait.ts";

/** A transport whose incoming bytes can be held, and let go as one chunk. */
interface Holding {
  readonly transport: Transport;
  /** Holds what arrives from now on. */
  hold(): void;
  /** Resolves once `n` watch notifications are held. */
  events(n: number): Promise<void>;
  /** Delivers what was held, in one chunk, and holds nothing more. */
  release(): void;
}

function holding(inner: Transport): Holding {
  // What arrived while holding, in one piece.
  let held: Uint8Array | undefined;
  let deliver: ((chunk: Uint8Array) => void) | undefined;
  let wanted: { n: number; resolve: () => void } | undefined;
  // The notifications (xid -1) among the whole frames held.
  const notifications = (bytes: Uint8Array) => {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    let n = 0;
    for (let at = 0; at + 8 <= bytes.length; at += 4 + view.getInt32(at)) {
      if (at + 4 + view.getInt32(at) > bytes.length) break;
      if (view.getInt32(at + 4) === -1) n++;
    }
    return n;
  };
  return {
    transport: {
      connect(options, handlers) {
        deliver = (chunk) => handlers.data(chunk);
        return inner.connect(options, {
          data(chunk) {
            if (held === undefined) return handlers.data(chunk);
            const all = new Uint8Array(held.length + chunk.length);
            all.set(held);
            all.set(chunk, held.length);
            held = all;
            if (wanted !== undefined && notifications(held) >= wanted.n) wanted.resolve();
          },
          closed: (error) => handlers.closed(error),
        });
      },
    },
    hold: () => held = new Uint8Array(0),
    events: (n) => new Promise((resolve) => wanted = { n, resolve }),
    release() {
      const all = held ?? new Uint8Array(0);
      held = undefined;
      deliver?.(all);
    },
  };
}

describe("Registry transactions", () => {
  const fx = useZooKeeper();

  for (const persistentWatches of [true, false]) {
    for (const childData of [true, false]) {
      const mode = `persistentWatches: ${persistentWatches}, childData: ${childData}`;
      it(`a session's close and a multi are each reported once, whole (${mode})`, async () => {
        await using root = await fx.chroot();
        const admin = await root.connect();
        await admin.create("/svc", "x");
        await using registry = await Registry.connect({
          servers: root.connectString,
          persistentWatches,
          childData,
        });
        const seen: string[] = [];
        registry.onChange("/svc", (snapshot) => seen.push(Object.keys(snapshot.children).join()));
        await registry.get("/svc");
        const holder = await root.connect();
        await holder.multi(
          ["a", "b", "c", "d"].map((n) => ({
            op: "create" as const,
            path: `/svc/${n}`,
            data: "{}",
            mode: "ephemeral" as const,
          })),
        );
        await eventually(() => seen.at(-1) === "a,b,c,d", "the ephemeral nodes listed");
        assert.deepEqual(seen, ["a,b,c,d"]);
        await holder.close();
        await eventually(() => seen.at(-1) === "", "the ephemeral nodes gone");
        assert.deepEqual(seen, ["a,b,c,d", ""]);
        await admin.create("/svc/e", "{}");
        await eventually(() => seen.at(-1) === "e", "e listed");
        await admin.multi([
          { op: "delete", path: "/svc/e" },
          { op: "create", path: "/svc/f", data: "{}" },
          { op: "create", path: "/svc/g", data: "{}" },
        ]);
        await eventually(() => seen.at(-1) === "f,g", "the multi applied");
        assert.deepEqual(seen, ["a,b,c,d", "", "e", "f,g"]);
      });
    }
  }

  it("one exists answers for every followed path that one transaction changes", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    await admin.create("/a", "x");
    await admin.create("/b", "x");
    const counter = await requestCounter();
    const wire = holding(counter.transport);
    await using registry = await Registry.connect({
      servers: root.connectString,
      transport: wire.transport,
    });
    const seen: Record<string, string[]> = { "/a": [], "/b": [] };
    for (const path of ["/a", "/b"]) {
      registry.onChange(
        path,
        (snapshot) => seen[path]!.push(Object.keys(snapshot.children).join()),
      );
      await registry.get(path);
    }
    const holder = await root.connect();
    await holder.create("/a/h", "{}", { mode: "ephemeral" });
    await holder.create("/b/h", "{}", { mode: "ephemeral" });
    await eventually(() => seen["/a"]!.at(-1) === "h" && seen["/b"]!.at(-1) === "h", "h listed");
    const zk = registry.client!;
    await counter.settle(zk);
    counter.reset();
    // The two removals reach the client together, as they may on any
    // connection: one barrier then holds both back.
    wire.hold();
    const events = wire.events(2);
    await holder.close();
    await within(events, "both removals");
    wire.release();
    await eventually(() => seen["/a"]!.at(-1) === "" && seen["/b"]!.at(-1) === "", "h gone");
    await counter.settle(zk);
    assert.deepEqual(counter.counts(), { exists: 1 });
    assert.deepEqual(seen, { "/a": ["h", ""], "/b": ["h", ""] });
  });
});
