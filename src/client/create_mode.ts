/**
 * The create modes as a table of what each one means, so that `create` and
 * `multi` read the same facts: the flags sent, whether the name gets a
 * sequence number, whether the node is ephemeral, needs a TTL or is a
 * container, and which request creates it.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/CreateMode.java
 * @module
 */

import { ZooKeeperError } from "../protocol/errors.ts";
import { CreateMode, type CreateModeName, OpCode } from "../protocol/constants.ts";
import { typeName } from "../util/type_name.ts";

/** What a create mode means. */
export interface CreateModeSpec {
  /** The mode's name. */
  readonly name: CreateModeName;
  /** The `flags` field of CreateRequest. */
  readonly flags: number;
  /** The server appends a 10-digit sequence number to the name. */
  readonly sequential: boolean;
  /** The node goes with the session. */
  readonly ephemeral: boolean;
  /** The node needs a `ttl` and is deleted once it has been childless that long. */
  readonly ttl: boolean;
  /** The server deletes the node once its last child is gone. */
  readonly container: boolean;
  /** The request that creates it: create2, createTTL or createContainer. */
  readonly opcode: number;
}

function spec(
  name: CreateModeName,
  traits: {
    sequential?: boolean | undefined;
    ephemeral?: boolean | undefined;
    ttl?: boolean | undefined;
    container?: boolean | undefined;
  },
): [CreateModeName, CreateModeSpec] {
  const { sequential = false, ephemeral = false, ttl = false, container = false } = traits;
  const opcode = container ? OpCode.createContainer : ttl ? OpCode.createTTL : OpCode.create2;
  return [name, { name, flags: CreateMode[name], sequential, ephemeral, ttl, container, opcode }];
}

const SPECS: readonly [CreateModeName, CreateModeSpec][] = [
  spec("persistent", {}),
  spec("ephemeral", { ephemeral: true }),
  spec("persistentSequential", { sequential: true }),
  spec("ephemeralSequential", { sequential: true, ephemeral: true }),
  spec("container", { container: true }),
  spec("persistentWithTTL", { ttl: true }),
  spec("persistentSequentialWithTTL", { sequential: true, ttl: true }),
];

// The spelling of the Java and C clients, `PERSISTENT_SEQUENTIAL`, and its
// lower-case form, `persistent_sequential`.
function snakeCase(name: string): string {
  return name.replace(/[A-Z]+/g, (m) => `_${m.toLowerCase()}`);
}

// A Map, not an object: a mode named like an Object.prototype member
// ("toString") must be unknown, not found.
const MODES: ReadonlyMap<string, CreateModeSpec> = new Map(
  SPECS.flatMap(([name, mode]) => [
    [name, mode],
    [snakeCase(name), mode],
    [snakeCase(name).toUpperCase(), mode],
  ]),
);

/**
 * The longest TTL, in milliseconds (about 34 years): the 40 bits the server
 * keeps it in (`EphemeralType.TTL.maxValue()`).
 */
export const MAX_TTL = 0xff_ffff_ffff;

/**
 * Looks up a create mode and checks that a TTL is given exactly when the mode
 * takes one.
 *
 * @param path The path being created, for the message.
 * @param mode The mode's name, or its Java spelling (`PERSISTENT_SEQUENTIAL`,
 *   `persistent_sequential`); `"persistent"` when omitted.
 * @param ttl The TTL given, if any.
 * @returns What the mode means.
 * @throws {ZooKeeperError} `BADARGUMENTS` for an unknown mode, a TTL mode
 *   without a TTL, or a TTL with another mode.
 */
export function createModeOf(
  path: string,
  mode: string | undefined,
  ttl: number | undefined,
): CreateModeSpec {
  if (mode !== undefined && typeof mode !== "string") {
    throw new ZooKeeperError(
      "BADARGUMENTS",
      `Cannot create "${path}": mode must be a string, not ${typeName(mode)}`,
      { path },
    );
  }
  const name = mode ?? "persistent";
  const found = MODES.get(name);
  if (found === undefined) {
    const known = SPECS.map(([n]) => n).join(", ");
    throw new ZooKeeperError(
      "BADARGUMENTS",
      `Cannot create "${path}": unknown mode "${name}" (one of ${known})`,
      { path },
    );
  }
  if (found.ttl !== (ttl !== undefined)) {
    throw new ZooKeeperError(
      "BADARGUMENTS",
      found.ttl
        ? `Cannot create "${path}": mode ${name} needs a ttl`
        : `Cannot create "${path}": a ttl needs a ...WithTTL mode`,
      { path },
    );
  }
  if (found.ttl && !(Number.isSafeInteger(ttl) && ttl! >= 1 && ttl! <= MAX_TTL)) {
    throw new ZooKeeperError(
      "BADARGUMENTS",
      `Cannot create "${path}": ttl must be a whole number of milliseconds from 1 to ${MAX_TTL}, not ${
        typeName(ttl)
      }`,
      { path },
    );
  }
  return found;
}
