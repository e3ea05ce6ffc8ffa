import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { Xid } from "../src/protocol/constants.ts";
import { ZooKeeperError } from "../src/protocol/errors.ts";
import { flush } from "./helpers/fake_transport.ts";
import { accept, connected, reply } from "./helpers/fake_session.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

// A promise's outcome so far, without waiting for it.
function outcome(promise: Promise<unknown>): () => string {
  let state = "pending";
  promise.then(() => state = "resolved", (e) => state = `rejected ${e.code}`);
  return () => state;
}

async function reconnect(ctx: Awaited<ReturnType<typeof connected>>) {
  ctx.transport.last.drop();
  ctx.clock.advance(0);
  await flush();
  accept(ctx.transport.last);
  await flush();
}

describe("Session.addAuth()", () => {
  it("settles each call with the answer to its own credentials across lost connections", async () => {
    const ctx = await connected();
    const a1 = outcome(ctx.session.addAuth("digest", bytes("a:1")));
    await flush();
    reply(ctx.transport.last, Xid.auth, 0n);
    await flush();
    assert.equal(a1(), "resolved");
    ctx.transport.last.drop();
    await flush();
    const a2 = outcome(ctx.session.addAuth("digest", bytes("a:2")));
    // Reconnects, replays a1 and a2, and loses the connection before any answer.
    ctx.clock.advance(0);
    await flush();
    accept(ctx.transport.last);
    await flush();
    await reconnect(ctx);
    // The answer to the replay of a1 is not a2's.
    reply(ctx.transport.last, Xid.auth, 0n);
    await flush();
    assert.equal(a2(), "pending");
    reply(ctx.transport.last, Xid.auth, 0n);
    await flush();
    assert.equal(a2(), "resolved");
    const a3 = outcome(ctx.session.addAuth("digest", bytes("a:3")));
    await flush();
    reply(ctx.transport.last, Xid.auth, 0n);
    await flush();
    assert.equal(a3(), "resolved");
  });

  it("rejects credentials still unanswered when the session is closed", async () => {
    const ctx = await connected();
    ctx.session.addAuth("digest", bytes("a:1")).catch(() => {});
    await flush();
    reply(ctx.transport.last, Xid.auth, 0n);
    ctx.transport.last.drop();
    await flush();
    const a2 = ctx.session.addAuth("digest", bytes("a:2"));
    ctx.clock.advance(0);
    await flush();
    accept(ctx.transport.last);
    await flush();
    // Closed before the server answers the replayed credentials.
    const closing = ctx.session.close();
    await flush();
    ctx.transport.last.drop();
    await assert.rejects(a2, (e: unknown) => ZooKeeperError.is(e, "CLOSED"));
    await closing;
  });
});
