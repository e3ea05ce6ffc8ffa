import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { createModeOf } from "../src/client/create_mode.ts";
import { buildMultiRequest } from "../src/client/multi.ts";
import { Chroot } from "../src/client/chroot.ts";
import { OpCode } from "../src/protocol/constants.ts";
import { ZooKeeperError } from "../src/protocol/errors.ts";

const badArguments = (e: unknown) => ZooKeeperError.is(e, "BADARGUMENTS");

describe("createModeOf()", () => {
  it("describes each mode by its flags and the request that creates it", () => {
    assert.deepEqual(createModeOf("/a", undefined, undefined), {
      name: "persistent",
      flags: 0,
      sequential: false,
      ephemeral: false,
      ttl: false,
      container: false,
      opcode: OpCode.create2,
    });
    assert.equal(createModeOf("/a", "ephemeralSequential", undefined).flags, 3);
    assert.equal(createModeOf("/a", "container", undefined).opcode, OpCode.createContainer);
    const ttl = createModeOf("/a", "persistentSequentialWithTTL", 1000);
    assert.equal(ttl.opcode, OpCode.createTTL);
    assert.equal(ttl.sequential, true);
  });

  it("rejects a mode named like an Object.prototype member", () => {
    assert.throws(() => createModeOf("/a", "toString", undefined), badArguments);
    assert.throws(() => createModeOf("/a", "__proto__", undefined), badArguments);
  });

  it("accepts the names of the Java and C clients as aliases", () => {
    for (const alias of ["persistent_sequential", "PERSISTENT_SEQUENTIAL"]) {
      const mode = createModeOf("/a", alias, undefined);
      assert.equal(mode.name, "persistentSequential");
      assert.equal(mode.flags, 2);
    }
    assert.equal(createModeOf("/a", "EPHEMERAL", undefined).name, "ephemeral");
    assert.equal(
      createModeOf("/a", "PERSISTENT_SEQUENTIAL_WITH_TTL", 5).name,
      "persistentSequentialWithTTL",
    );
    assert.equal(createModeOf("/a", "persistent_with_ttl", 5).name, "persistentWithTTL");
  });

  it("names the modes it knows when refusing one", () => {
    assert.throws(
      () => createModeOf("/a", "sequential", undefined),
      /unknown mode "sequential" \(one of persistent, ephemeral, persistentSequential,/,
    );
  });

  it("rejects a ttl that is not a whole number of milliseconds from 1 to 2^40-1", () => {
    for (const ttl of [0, -1, 1.5, 2 ** 40, Number.NaN]) {
      assert.throws(
        () => createModeOf("/a", "persistentWithTTL", ttl),
        (e: unknown) => badArguments(e) && /ttl must be a whole number/.test((e as Error).message),
      );
    }
    assert.equal(createModeOf("/a", "persistentWithTTL", 2 ** 40 - 1).ttl, true);
  });

  it("rejects a TTL mode without a ttl and a ttl with another mode", () => {
    assert.throws(() => createModeOf("/a", "persistentWithTTL", undefined), /needs a ttl/);
    assert.throws(() => createModeOf("/a", "persistent", 1000), /a ttl needs/);
  });
});

describe("buildMultiRequest()", () => {
  const subject = { verb: "commit transaction" };

  it("applies the same mode checks as create", () => {
    const paths = new Chroot("");
    assert.throws(
      () =>
        buildMultiRequest(subject, [{ op: "create", path: "/a", ttl: 1000 }], "write", paths, 100),
      /a ttl needs/,
    );
    assert.throws(
      () =>
        buildMultiRequest(
          subject,
          // deno-lint-ignore no-explicit-any
          [{ op: "create", path: "/a", mode: "toString" as any }],
          "write",
          paths,
          100,
        ),
      badArguments,
    );
  });
});

describe("ZooKeeperError.fromServer()", () => {
  it("keeps the number of an error code it does not know", () => {
    const error = ZooKeeperError.fromServer(-131, "create", "/a");
    assert.equal(error.serverCode, -131);
    assert.match(error.message, /Cannot create "\/a": unknown error -131/);
    assert.equal(ZooKeeperError.fromServer(-101, "create", "/a").serverCode, -101);
  });
});
