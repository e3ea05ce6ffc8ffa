/**
 * One transaction, one callback: the events of one zxid (a multi, a
 * session's close removing its ephemeral nodes) are published once, whole.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { Registry } from "../mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually } from "./helpers/wait.ts";

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
});
