import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { OpCode } from "../src/protocol/constants.ts";
import { flush } from "./helpers/fake_transport.ts";
import { accept, connected, header, reply } from "./helpers/fake_session.ts";
import { JuteReader } from "../src/jute/reader.ts";
import { readConnectRequest } from "./helpers/server_codec.ts";

describe("Session.close()", () => {
  it("while disconnected, reconnects to the session to send closeSession", async () => {
    const { session, transport, clock, states } = await connected();
    transport.last.drop();
    await flush();
    const closing = session.close();
    clock.advance(0);
    await flush();
    const socket = transport.last;
    assert.equal(transport.sockets.length, 2);
    assert.equal(readConnectRequest(new JuteReader(socket.frames[0])).sessionId, 0x1234n);
    accept(socket);
    await flush();
    const close = socket.frames.at(-1)!;
    assert.equal(header(close).type, OpCode.closeSession);
    reply(socket, header(close).xid, 5n);
    await closing;
    assert.deepEqual(states.map((s) => s.type), ["connected", "disconnected", "closed"]);
  });

  it("during a reconnect handshake, waits for it and sends closeSession", async () => {
    const { session, transport, clock } = await connected();
    transport.last.drop();
    clock.advance(0);
    await flush();
    const socket = transport.last;
    const closing = session.close();
    await flush();
    accept(socket);
    await flush();
    const close = socket.frames.at(-1)!;
    assert.equal(header(close).type, OpCode.closeSession);
    socket.drop();
    await closing;
  });

  it("ends after closeTimeout when no server answers", async () => {
    const { session, transport, clock, states } = await connected();
    transport.refuse = new Error("refused");
    transport.last.drop();
    await flush();
    let closed = false;
    const closing = session.close().then(() => closed = true);
    clock.advance(999);
    await flush();
    assert.equal(closed, false);
    clock.advance(1);
    await closing;
    assert.equal(states.at(-1)?.type, "closed");
    assert.equal(clock.pending, 0);
  });
});
