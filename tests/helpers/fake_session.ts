/**
 * A session on a fake transport and clock, with the test playing the server:
 * answering the handshake, replying to requests.
 *
 * @module
 */

import { ZooKeeper } from "../../mod.ts";
import { JuteReader } from "../../src/jute/reader.ts";
import type { JuteWriter } from "../../src/jute/writer.ts";
import { OpCode } from "../../src/protocol/constants.ts";
import type { WatcherEvent } from "../../src/protocol/records_session.ts";
import { writePathRequest } from "../../src/protocol/records_ops.ts";
import type { ControlRequest } from "../../src/session/request_encoder.ts";
import { Session, type SessionOptions } from "../../src/session/session.ts";
import type { ConnectionState } from "../../src/session/state.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { type FakeSocket, FakeTransport, flush } from "./fake_transport.ts";
import {
  readPathRequest,
  readRequestHeader,
  writeConnectResponse,
  writeReplyHeader,
} from "./server_codec.ts";

export const PASSWORD = new Uint8Array(16).fill(9);

/** A session's settings on a fake transport and clock: one server, no delays. */
export function sessionOptions(
  transport: FakeTransport,
  clock: FakeClock,
  overrides: Partial<SessionOptions> = {},
): SessionOptions {
  return {
    hosts: [{ host: "127.0.0.1", port: 1 }],
    sessionTimeout: 9000,
    transport,
    clock,
    readOnly: false,
    maxFrameSize: 4096,
    maxRequestSize: 4096,
    reconnectDelay: 0,
    cycleDelay: 1000,
    random: () => 0.5,
    ...overrides,
  };
}

export function setup(
  overrides: Partial<SessionOptions> = {},
  restore: ControlRequest[] = [],
  warning?: (error: Error) => void,
) {
  const clock = new FakeClock();
  const transport = new FakeTransport();
  const states: ConnectionState[] = [];
  const events: WatcherEvent[] = [];
  const session = new Session(sessionOptions(transport, clock, {
    hosts: [{ host: "127.0.0.1", port: 1 }, { host: "127.0.0.2", port: 2 }],
    ...overrides,
  }));
  session.start({
    notification: (type, state, path) => events.push({ type, state, path }),
    state: (s) => states.push(s),
    restoreWatches: () => restore,
    warning,
  });
  return { clock, transport, session, states, events };
}

export function accept(
  socket: FakeSocket,
  timeOut = 9000,
  sessionId = 0x1234n,
  readOnly = false,
) {
  socket.send((w) =>
    writeConnectResponse(w, {
      protocolVersion: 0,
      timeOut,
      sessionId,
      passwd: PASSWORD,
      readOnly,
    })
  );
}

export function reply(
  socket: FakeSocket,
  xid: number,
  zxid: bigint,
  err = 0,
  body?: (w: JuteWriter) => void,
) {
  socket.send((w) => {
    writeReplyHeader(w, { xid, zxid, err });
    body?.(w);
  });
}

export function header(frame: Uint8Array) {
  return readRequestHeader(new JuteReader(frame));
}

export function sync(session: Session, path = "/a"): Promise<{ path: string }> {
  return session.submit({
    opcode: OpCode.sync,
    verb: "sync",
    path,
    encode: (w) => writePathRequest(w, { path }),
    decode: readPathRequest,
  });
}

export async function connected() {
  const ctx = setup();
  await flush();
  accept(ctx.transport.last);
  await flush();
  return ctx;
}

/**
 * A client connected over a fake transport, the test playing the server:
 * `onFrame` sees every frame after the handshake but closeSession, which is
 * answered here.
 */
export async function fakeClient(
  onFrame?: (frame: Uint8Array, socket: FakeSocket) => void,
): Promise<{ zk: ZooKeeper; socket: FakeSocket; transport: FakeTransport }> {
  const transport = new FakeTransport();
  const opened = transport.nextSocket();
  const connecting = ZooKeeper.connect("127.0.0.1:2181", { transport, closeTimeout: 0 });
  const socket = await opened;
  await flush();
  socket.onFrame = (frame) => {
    const { xid, type } = header(frame);
    if (type === OpCode.closeSession) reply(socket, xid, 1n);
    else onFrame?.(frame, socket);
  };
  accept(socket);
  return { zk: await connecting, socket, transport };
}
