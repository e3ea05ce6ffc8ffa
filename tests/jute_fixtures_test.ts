/**
 * The codec against bytes made by ZooKeeper's own Java classes
 * (tests/testdata/jute_fixtures.json, see tests/java/README.md): every record
 * encodes to exactly those bytes and decodes back to the same fields.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { JuteReader } from "../src/jute/reader.ts";
import { JuteWriter } from "../src/jute/writer.ts";
import * as data from "../src/protocol/records_data.ts";
import * as ops from "../src/protocol/records_ops.ts";
import * as session from "../src/protocol/records_session.ts";
import * as multi from "../src/protocol/multi.ts";
import * as server from "./helpers/server_codec.ts";
import {
  encodeControl,
  encodeRequest,
  type Request,
  setXid,
} from "../src/session/request_encoder.ts";
import { Chroot } from "../src/client/chroot.ts";
import { createRequest, deleteRequest, setDataRequest } from "../src/client/write_requests.ts";
import type { CreateModeSpec } from "../src/client/create_mode.ts";

interface Fixture {
  record: string;
  name: string;
  fields: unknown;
  hex: string;
}

// deno-lint-ignore no-explicit-any
type Codec = [(w: JuteWriter, value: any) => void, (r: JuteReader) => unknown];

const codecs: Record<string, Codec> = {
  Id: [data.writeId, data.readId],
  ACL: [data.writeACL, data.readACL],
  Stat: [server.writeStat, data.readStat],
  ClientInfo: [server.writeClientInfo, data.readClientInfo],
  ConnectRequest: [session.writeConnectRequest, server.readConnectRequest],
  ConnectResponse: [server.writeConnectResponse, session.readConnectResponse],
  SetWatches: [session.writeSetWatches, server.readSetWatches],
  SetWatches2: [session.writeSetWatches2, server.readSetWatches2],
  RequestHeader: [
    (w, f: session.RequestHeader) => session.writeRequestHeader(w, f.xid, f.type),
    server.readRequestHeader,
  ],
  MultiHeader: [session.writeMultiHeader, session.readMultiHeader],
  AuthPacket: [session.writeAuthPacket, server.readAuthPacket],
  ReplyHeader: [server.writeReplyHeader, session.readReplyHeader],
  WatcherEvent: [server.writeWatcherEvent, session.readWatcherEvent],
  ErrorResponse: [server.writeErrorResponse, session.readErrorResponse],
  GetDataRequest: [ops.writeWatchRequest, server.readWatchRequest],
  ExistsRequest: [ops.writeWatchRequest, server.readWatchRequest],
  GetChildrenRequest: [ops.writeWatchRequest, server.readWatchRequest],
  GetChildren2Request: [ops.writeWatchRequest, server.readWatchRequest],
  SetDataRequest: [ops.writeSetDataRequest, server.readSetDataRequest],
  SetDataResponse: [server.writeStatResponse, ops.readStatResponse],
  ExistsResponse: [server.writeStatResponse, ops.readStatResponse],
  SetACLResponse: [server.writeStatResponse, ops.readStatResponse],
  CreateRequest: [ops.writeCreateRequest, server.readCreateRequest],
  CreateTTLRequest: [ops.writeCreateTTLRequest, server.readCreateTTLRequest],
  DeleteRequest: [ops.writeDeleteRequest, server.readDeleteRequest],
  CheckVersionRequest: [ops.writeDeleteRequest, server.readDeleteRequest],
  GetAllChildrenNumberRequest: [ops.writePathRequest, server.readPathRequest],
  SyncRequest: [ops.writePathRequest, server.readPathRequest],
  GetACLRequest: [ops.writePathRequest, server.readPathRequest],
  SyncResponse: [server.writePathResponse, ops.readPathResponse],
  CreateResponse: [server.writePathResponse, ops.readPathResponse],
  SetACLRequest: [ops.writeSetACLRequest, server.readSetACLRequest],
  AddWatchRequest: [ops.writeAddWatchRequest, server.readAddWatchRequest],
  CheckWatchesRequest: [ops.writeWatchTypeRequest, server.readWatchTypeRequest],
  RemoveWatchesRequest: [ops.writeWatchTypeRequest, server.readWatchTypeRequest],
  Create2Response: [server.writeCreate2Response, ops.readCreate2Response],
  GetDataResponse: [server.writeGetDataResponse, ops.readGetDataResponse],
  GetChildrenResponse: [server.writeGetChildrenResponse, ops.readGetChildrenResponse],
  GetChildren2Response: [server.writeGetChildren2Response, ops.readGetChildren2Response],
  GetACLResponse: [server.writeGetACLResponse, ops.readGetACLResponse],
  GetAllChildrenNumberResponse: [
    server.writeGetAllChildrenNumberResponse,
    ops.readGetAllChildrenNumberResponse,
  ],
  GetEphemeralsRequest: [ops.writeGetEphemeralsRequest, server.readGetEphemeralsRequest],
  GetEphemeralsResponse: [server.writeGetEphemeralsResponse, ops.readGetEphemeralsResponse],
  WhoAmIResponse: [server.writeWhoAmIResponse, ops.readWhoAmIResponse],
  MultiRequest: [
    (w, f: { ops: multi.MultiOpRecord[] }) => multi.writeMultiRequest(w, f.ops),
    (r) => ({ ops: server.readMultiRequest(r) }),
  ],
  MultiResponse: [
    (w, f: { results: multi.MultiResultRecord[] }) => server.writeMultiResponse(w, f.results),
    (r) => ({ results: multi.readMultiResponse(r) }),
  ],
};

const fixtures: Fixture[] = JSON.parse(
  readFileSync(new URL("./testdata/jute_fixtures.json", import.meta.url), "utf8"),
);

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function toHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Turns the fixture's tagged JSON into the values the encoders take. */
function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.$long === "string") return BigInt(o.$long);
    if (typeof o.$buffer === "string") return fromHex(o.$buffer);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, revive(v)]));
  }
  return value;
}

/**
 * Compares a decoded value with the fixture's, allowing the representations
 * this codec chooses: numbers for times, `[]` for a null vector, `""` for a
 * null string where the protocol never sends one, an empty buffer for a null
 * password.
 */
function same(actual: unknown, expected: unknown, at: string): void {
  if (expected === null) {
    const ok = actual === null || actual === "" ||
      (Array.isArray(actual) && actual.length === 0) ||
      (actual instanceof Uint8Array && actual.length === 0);
    assert.ok(ok, `${at}: expected null, got ${String(actual)}`);
    return;
  }
  if (typeof expected === "bigint") {
    assert.ok(typeof actual === "bigint" || typeof actual === "number", `${at}: not a number`);
    assert.equal(BigInt(actual as bigint | number), expected, at);
    return;
  }
  if (expected instanceof Uint8Array) {
    assert.ok(actual instanceof Uint8Array, `${at}: not bytes`);
    assert.equal(toHex(actual), toHex(expected), at);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${at}: not an array`);
    assert.equal(actual.length, expected.length, `${at}: length`);
    expected.forEach((e, i) => same(actual[i], e, `${at}[${i}]`));
    return;
  }
  if (typeof expected === "object") {
    assert.ok(actual !== null && typeof actual === "object", `${at}: not an object`);
    for (const [k, v] of Object.entries(expected as Record<string, unknown>)) {
      same((actual as Record<string, unknown>)[k], v, `${at}.${k}`);
    }
    return;
  }
  assert.equal(actual, expected, at);
}

/** Times beyond 2^53 ms cannot be numbers: the decoder refuses them. */
function hasUnsafeTime(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasUnsafeTime);
  if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    return Object.entries(value).some(([k, v]) =>
      ((k === "ctime" || k === "mtime") && typeof v === "bigint" &&
        !Number.isSafeInteger(Number(v))) || hasUnsafeTime(v)
    );
  }
  return false;
}

// ZooKeeper 3.8's Java writer encodes characters outside the BMP as two
// 3-byte surrogates (CESU-8), which its own reader cannot read back. We write
// standard UTF-8, which every server reads correctly.
const isCesu8 = (f: Fixture) => f.name.endsWith("_cesu8");

// A null where the protocol always has a value (an ACL id, an auth scheme, a
// created path) is refused rather than passed on as a null the types deny.
const nullRequired = new Set(["id_null_strings", "auth_packet_null", "create_response_null"]);

describe("Jute codec against the Java classes' bytes", () => {
  it("covers every record the client sends or receives", () => {
    const covered = new Set(fixtures.map((f) => f.record));
    for (const record of Object.keys(codecs)) assert.ok(covered.has(record), record);
    for (const record of covered) assert.ok(record in codecs, `no codec for ${record}`);
  });

  for (const fixture of fixtures) {
    const [write, read] = codecs[fixture.record];
    const fields = revive(fixture.fields);

    it(`${fixture.record} ${fixture.name} encodes to the Java bytes`, () => {
      const w = new JuteWriter(8);
      write(w, fields);
      if (isCesu8(fixture)) {
        assert.notEqual(toHex(w.bytes()), fixture.hex);
        assert.match(toHex(w.bytes()), /f09fa680/);
        return;
      }
      assert.equal(toHex(w.bytes()), fixture.hex);
    });

    it(`${fixture.record} ${fixture.name} decodes from the Java bytes`, () => {
      const bytes = fromHex(fixture.hex);
      const r = new JuteReader(bytes);
      if (hasUnsafeTime(fields)) {
        assert.throws(() => read(r), /not a safe integer/);
        return;
      }
      if (nullRequired.has(fixture.name)) {
        assert.throws(() => read(r), /unexpected null string/);
        return;
      }
      const decoded = read(r);
      assert.equal(r.remaining, 0, "every byte consumed");
      if (!isCesu8(fixture)) same(decoded, fields, fixture.name);
    });
  }
});

describe("The session's request frames against the Java classes' bytes", () => {
  const headers = fixtures.filter((f) => f.record === "RequestHeader");

  it("a queued request's frame starts with the RequestHeader Java writes", () => {
    for (const fixture of headers) {
      const { xid, type } = fixture.fields as session.RequestHeader;
      const frame = encodeRequest({ opcode: type, verb: "send" });
      setXid(frame, xid);
      assert.equal(toHex(frame.subarray(4)), fixture.hex, fixture.name);
    }
  });

  it("a control frame starts with the RequestHeader Java writes", () => {
    for (const fixture of headers) {
      const { xid, type } = fixture.fields as session.RequestHeader;
      const frame = encodeControl(xid, { opcode: type, encode: () => {} });
      assert.equal(toHex(frame.subarray(4)), fixture.hex, fixture.name);
    }
  });
});

describe("The client's request bodies against the Java classes' bytes", () => {
  // A frame is the length, the xid and the opcode, then the body.
  const body = (request: Request<unknown>) => toHex(encodeRequest(request).subarray(12));
  const mode = (flags: number) => ({ flags, opcode: 15 }) as CreateModeSpec;
  // The client sends data and an ACL always, a ttl that is a safe integer.
  // Data that is UTF-8 text, which the client may send as the text itself.
  const asText = (bytes: Uint8Array) => {
    try {
      const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      return toHex(new TextEncoder().encode(text)) === toHex(bytes) ? text : undefined;
    } catch {
      return undefined;
    }
  };
  const sendable = (f: Fixture) => {
    const fields = revive(f.fields) as { data: unknown; acl?: unknown; ttl?: bigint };
    return !isCesu8(f) && fields.data !== null && fields.acl !== null &&
      (fields.ttl === undefined || Number.isSafeInteger(Number(fields.ttl)));
  };

  it("create and createTTL, as create() and createWithStat() build them", () => {
    const creates = fixtures.filter((f) =>
      (f.record === "CreateRequest" || f.record === "CreateTTLRequest") && sendable(f)
    );
    assert.ok(creates.length >= 3);
    for (const fixture of creates) {
      const { path, data, acl, flags, ttl } = revive(fixture.fields) as ops.CreateTTLRequest;
      const args = {
        serverPath: path,
        data: data!,
        acl,
        mode: mode(flags),
        ttl: ttl === undefined ? undefined : Number(ttl),
      };
      for (const withStat of [false, true]) {
        const request = createRequest("/user", args, new Chroot(""), withStat);
        assert.equal(body(request), fixture.hex, fixture.name);
        const text = asText(data!);
        if (text === undefined) continue;
        const fromText = createRequest("/user", { ...args, data: text }, new Chroot(""), withStat);
        assert.equal(body(fromText), fixture.hex, `${fixture.name}, the data as text`);
      }
    }
  });

  it("delete, as delete() builds it", () => {
    const deletes = fixtures.filter((f) => f.record === "DeleteRequest" && !isCesu8(f));
    assert.ok(deletes.length >= 2);
    for (const fixture of deletes) {
      const { path, version } = revive(fixture.fields) as ops.DeleteRequest;
      assert.equal(body(deleteRequest("/user", path, version)), fixture.hex, fixture.name);
    }
  });

  it("setData, as setData() builds it", () => {
    const sets = fixtures.filter((f) => f.record === "SetDataRequest" && sendable(f));
    assert.ok(sets.length >= 2);
    let texts = 0;
    for (const fixture of sets) {
      const { path, data, version } = revive(fixture.fields) as ops.SetDataRequest;
      assert.equal(body(setDataRequest("/user", path, data!, version)), fixture.hex, fixture.name);
      const text = asText(data!);
      if (text === undefined) continue;
      texts++;
      assert.equal(body(setDataRequest("/user", path, text, version)), fixture.hex, fixture.name);
    }
    assert.ok(texts >= 1);
  });
});
