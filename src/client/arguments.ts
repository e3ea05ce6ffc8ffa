/**
 * The checks of what a caller passes to an operation, made once at the public
 * border before anything is encoded, so that a value from plain JavaScript is
 * never coerced, wrapped or reinterpreted on its way to the wire: data is a
 * string or a `Uint8Array`, versions are signed 32-bit integers, ACL entries
 * have integer permissions within 0..31 and string ids. A refusal is a
 * `ZooKeeperError` with `BADARGUMENTS` that names the argument and what it was.
 *
 * @module
 */

import { ZooKeeperError } from "../protocol/errors.ts";
import type { ACL } from "../protocol/records_data.ts";
import type { CallOptions } from "../session/call.ts";
import { describeRequest } from "../session/request_encoder.ts";
import { typeName } from "../util/type_name.ts";
import type { Data } from "./types.ts";

const EMPTY = new Uint8Array(0);
const NO_OPTIONS = Object.freeze({});
const encoder = new TextEncoder();
const INT_MIN = -0x8000_0000;
const INT_MAX = 0x7fff_ffff;

/** What a refusal is about: the call's verb and path, as messages name them. */
export interface Subject {
  /** What the call does, such as `"create"`. */
  readonly verb: string;
  /** The path it is about, already checked to be a string. */
  readonly path?: string | undefined;
}

/**
 * The error refusing an argument.
 *
 * @param subject The call.
 * @param problem What is wrong, such as `version must be ..., not a string`.
 * @returns The error, `BADARGUMENTS`.
 */
export function badArgument(subject: Subject, problem: string): ZooKeeperError {
  return new ZooKeeperError(
    "BADARGUMENTS",
    `Cannot ${describeRequest(subject.verb, subject.path)}: ${problem}`,
    { path: subject.path },
  );
}

/**
 * Checks an options argument: absent, or an object.
 *
 * @param subject The call.
 * @param options What was passed.
 * @returns The options; a shared empty object, not to be changed, when
 *   absent.
 * @throws {ZooKeeperError} `BADARGUMENTS` for anything else.
 */
export function checkOptions<T extends object>(subject: Subject, options: T | undefined): T {
  if (options === undefined) return NO_OPTIONS as T;
  if (typeof options !== "object" || options === null) {
    throw badArgument(subject, `options must be an object, not ${typeName(options)}`);
  }
  return options;
}

/**
 * Whether a value can serve as an `AbortSignal`: an object with `aborted`
 * and `addEventListener`, as every runtime's signals and polyfills have.
 *
 * @param value What was passed.
 * @returns Whether it is a signal.
 */
export function isSignal(value: unknown): value is AbortSignal {
  return typeof value === "object" && value !== null &&
    typeof (value as AbortSignal).addEventListener === "function" &&
    typeof (value as AbortSignal).removeEventListener === "function" &&
    typeof (value as AbortSignal).aborted === "boolean";
}

/**
 * Checks the `signal` and `timeout` of a call.
 *
 * @param subject The call.
 * @param options The call's options.
 * @param defaultTimeout The client's `requestTimeout`.
 * @returns The signal and the deadline to apply; `undefined` when there is
 *   neither.
 * @throws {ZooKeeperError} `BADARGUMENTS` for a signal that is not an
 *   `AbortSignal` or a timeout that is not a number of milliseconds >= 0.
 */
export function checkCall(
  subject: Subject,
  options: CallOptions,
  defaultTimeout: number | undefined,
): CallOptions | undefined {
  const { signal, timeout = defaultTimeout } = options;
  if (signal !== undefined && !isSignal(signal)) {
    throw badArgument(subject, `signal must be an AbortSignal, not ${typeName(signal)}`);
  }
  if (timeout !== undefined && !(typeof timeout === "number" && timeout >= 0)) {
    throw badArgument(
      subject,
      `timeout must be a number of milliseconds >= 0, not ${typeName(timeout)}`,
    );
  }
  return signal === undefined && timeout === undefined ? undefined : { signal, timeout };
}

/**
 * Checked data as it goes on the wire: bytes, or text that the writer
 * encodes as UTF-8 straight into the frame (a jute buffer of its bytes and a
 * jute string are the same bytes: a length, then the UTF-8).
 */
export type WireData = Uint8Array | string;

/**
 * Checks znode data as {@linkcode checkData} does, leaving text whose UTF-8
 * cannot pass `maxSize` as it is, with no bytes made for it.
 *
 * @param subject The call.
 * @param data What was passed; `undefined` is no data.
 * @param maxSize The largest size accepted.
 * @returns The bytes, or the text.
 * @throws {ZooKeeperError} As `checkData`.
 */
export function checkWireData(
  subject: Subject,
  data: Data | undefined,
  maxSize: number,
): WireData {
  // A UTF-16 code unit never takes more than 3 UTF-8 bytes.
  if (typeof data === "string" && data.length * 3 <= maxSize) return data;
  return checkData(subject, data, maxSize);
}

/**
 * The bytes of checked data.
 *
 * @param data Bytes, or text.
 * @returns The bytes (the text's UTF-8).
 */
export function wireBytes(data: WireData): Uint8Array {
  return typeof data === "string" ? utf8(data) : data;
}

/**
 * Checks znode data and turns it into bytes: a string is sent as UTF-8, a
 * `Uint8Array` (a Node `Buffer` too) as it is, nothing else.
 *
 * @param subject The call.
 * @param data What was passed; `undefined` is no data.
 * @param maxSize The largest size accepted.
 * @returns The bytes.
 * @throws {ZooKeeperError} `BADARGUMENTS` for another type (another typed
 *   array, an `ArrayBuffer`, an array, a number) or data over `maxSize`.
 */
export function checkData(subject: Subject, data: Data | undefined, maxSize: number): Uint8Array {
  const bytes = toBytes(subject, "data", data);
  if (bytes.length > maxSize) {
    throw badArgument(
      subject,
      `data of ${bytes.length} bytes exceeds the limit of ${maxSize} bytes`,
    );
  }
  return bytes;
}

/**
 * Bytes from a string or a `Uint8Array`.
 *
 * @param subject The call.
 * @param name The argument's name, for the message.
 * @param data What was passed; `undefined` is empty.
 * @returns The bytes.
 * @throws {ZooKeeperError} `BADARGUMENTS` for anything else.
 */
export function toBytes(subject: Subject, name: string, data: Data | undefined): Uint8Array {
  if (typeof data === "string") return utf8(data);
  if (data instanceof Uint8Array) return data;
  if (data === undefined) return EMPTY;
  throw badArgument(subject, `${name} must be a string or a Uint8Array, not ${typeName(data)}`);
}

// Short ASCII text, the usual data of a registration or a counter, is copied
// byte by byte: cheaper than a call into the encoder.
function utf8(text: string): Uint8Array {
  const n = text.length;
  if (n === 0) return EMPTY;
  if (n <= 64) {
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) return encoder.encode(text);
      bytes[i] = c;
    }
    return bytes;
  }
  return encoder.encode(text);
}

/**
 * Checks a version: a signed 32-bit integer, -1 meaning any version.
 *
 * @param subject The call.
 * @param version What was passed; `undefined` is -1.
 * @param name The argument's name, for the message.
 * @returns The version.
 * @throws {ZooKeeperError} `BADARGUMENTS` for a non-integer (`1.5`, `NaN`,
 *   `"1"`) or one out of range (`2 ** 32 - 1` would otherwise be sent as -1).
 */
export function checkVersion(subject: Subject, version: unknown, name = "version"): number {
  if (version === undefined) return -1;
  if (
    typeof version === "number" && Number.isInteger(version) && version >= INT_MIN &&
    version <= INT_MAX
  ) {
    return version;
  }
  throw badArgument(
    subject,
    `${name} must be an integer from -1 (any) to ${INT_MAX}, not ${typeName(version)}`,
  );
}

// An ACL entry's refusal: its label is made only then, so that a valid ACL
// builds no string and no closure.
function aclRefusal(
  subject: Subject,
  index: number,
  field: string,
  rule: string,
  value: unknown,
): ZooKeeperError {
  return badArgument(subject, `acl[${index}]${field} must be ${rule}, not ${typeName(value)}`);
}

/**
 * Checks an ACL and copies it, so that what is encoded is what was checked.
 *
 * @param subject The call.
 * @param acl What was passed.
 * @returns A copy of the ACL.
 * @throws {ZooKeeperError} `BADARGUMENTS` for anything but an array of
 *   `{ perms, id: { scheme, id } }` with integer `perms` within 0..31 and
 *   string `scheme` and `id`.
 */
export function checkAcl(subject: Subject, acl: unknown): ACL[] {
  if (!Array.isArray(acl)) {
    throw badArgument(subject, `acl must be an array, not ${typeName(acl)}`);
  }
  return acl.map((entry: unknown, i): ACL => {
    if (typeof entry !== "object" || entry === null) {
      throw aclRefusal(subject, i, "", "an object", entry);
    }
    const { perms, id } = entry as { perms?: unknown; id?: unknown };
    if (typeof perms !== "number" || !Number.isInteger(perms) || perms < 0 || perms > 31) {
      throw aclRefusal(subject, i, ".perms", "an integer from 0 to 31 (Perms bits)", perms);
    }
    if (typeof id !== "object" || id === null) throw aclRefusal(subject, i, ".id", "an object", id);
    const { scheme, id: name } = id as { scheme?: unknown; id?: unknown };
    if (typeof scheme !== "string") throw aclRefusal(subject, i, ".id.scheme", "a string", scheme);
    if (typeof name !== "string") throw aclRefusal(subject, i, ".id.id", "a string", name);
    return { perms, id: { scheme, id: name } };
  });
}

/**
 * Checks a watcher: absent, or a function.
 *
 * @param subject The call.
 * @param watcher What was passed.
 * @param name The argument's name, for the message.
 * @returns The watcher.
 * @throws {ZooKeeperError} `BADARGUMENTS` for anything else.
 */
export function checkWatcher<T>(
  subject: Subject,
  watcher: T | undefined,
  name = "watch",
): T | undefined {
  if (watcher === undefined || typeof watcher === "function") return watcher;
  throw badArgument(subject, `${name} must be a function, not ${typeName(watcher)}`);
}

/**
 * Checks the credentials of `addAuth`.
 *
 * @param subject The call.
 * @param scheme The scheme, a string.
 * @param auth The credentials: a string (sent as UTF-8) or bytes.
 * @returns The credentials as bytes.
 * @throws {ZooKeeperError} `BADARGUMENTS` for anything else.
 */
export function checkAuth(subject: Subject, scheme: unknown, auth: Data): Uint8Array {
  if (typeof scheme !== "string") {
    throw badArgument(subject, `scheme must be a string, not ${typeName(scheme)}`);
  }
  return toBytes(subject, "auth", auth);
}
