/**
 * An assertion that a call rejects with a `ZooKeeperError` (or a
 * `MultiError`) of one code.
 *
 * @module
 */

import assert from "node:assert/strict";
import { MultiError, ZooKeeperError } from "../../mod.ts";

/** Asserts that `promise` rejects with a `ZooKeeperError` of `code`, its message matching `message`. */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  message?: RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ZooKeeperError, `expected a ZooKeeperError, got ${error}`);
    assert.equal(error.code, code);
    assert.equal(error.name, error instanceof MultiError ? "MultiError" : "ZooKeeperError");
    if (message) assert.match(error.message, message);
    return true;
  });
}
