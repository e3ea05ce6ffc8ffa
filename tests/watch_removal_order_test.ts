/**
 * Removing watches in the order of the server's replies: a fake server
 * answers a removal and a read sent after it in one chunk, as a real one
 * often does on loopback.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { ZooKeeperError } from "../mod.ts";
import type { WatchedEvent } from "../src/client/watch_registry.ts";
import { EventType, KeeperState, OpCode } from "../src/protocol/constants.ts";
import { JuteWriter } from "../src/jute/writer.ts";
import { type FakeSocket, flush } from "./helpers/fake_transport.ts";
import { fakeClient, header } from "./helpers/fake_session.ts";
import {
  writeGetChildrenResponse,
  writeGetDataResponse,
  writeReplyHeader,
  writeWatcherEvent,
  zeroStat,
} from "./helpers/server_codec.ts";

const connect = () => fakeClient();

/** The replies to `frames`, in one chunk: removals answered OK, reads with data. */
function answerInOneChunk(socket: FakeSocket, frames: Uint8Array[]): void {
  const w = new JuteWriter();
  for (const frame of frames) {
    const { xid, type } = header(frame);
    const start = w.beginFrame();
    writeReplyHeader(w, { xid, zxid: 1n, err: 0 });
    if (type === OpCode.getData) {
      writeGetDataResponse(w, { data: new Uint8Array(0), stat: zeroStat() });
    }
    if (type === OpCode.getChildren) writeGetChildrenResponse(w, { children: [] });
    w.endFrame(start);
  }
  socket.sendRaw(w.bytes().slice());
}

function dataChanged(socket: FakeSocket, path: string): void {
  socket.send((w) => {
    writeReplyHeader(w, { xid: -1, zxid: -1n, err: 0 });
    writeWatcherEvent(w, {
      type: EventType.NodeDataChanged,
      state: KeeperState.SyncConnected,
      path,
    });
  });
}

describe("Removing watches, and a read that sets one after it", () => {
  for (const removal of ["removeAllWatches", "removeWatches"] as const) {
    it(`${removal}() leaves the watch the read sets, answered in the same chunk`, async () => {
      const { zk, socket } = await connect();
      const events: string[] = [];
      const a = (e: WatchedEvent) => events.push(`a ${e.type}`);
      const b = removal === "removeWatches" ? a : (e: WatchedEvent) => events.push(`b ${e.type}`);
      const first = zk.getData("/r", { watch: a });
      await flush();
      answerInOneChunk(socket, socket.frames.slice(-1));
      await first;
      const removing = removal === "removeWatches"
        ? zk.removeWatches("/r", a, "data")
        : zk.removeAllWatches("/r", "data");
      const reading = zk.getData("/r", { watch: b });
      await flush();
      const sent = socket.frames.slice(-2);
      assert.deepEqual(sent.map((f) => header(f).type), [OpCode.removeWatches, OpCode.getData]);
      answerInOneChunk(socket, sent);
      await Promise.all([removing, reading]);
      dataChanged(socket, "/r");
      await flush();
      const b1 = removal === "removeWatches" ? "a" : "b";
      assert.deepEqual(events, ["a DataWatchRemoved", `${b1} NodeDataChanged`]);
      await zk.close();
    });
  }

  it("removeAllWatches() of two kinds removes each as its own removal is answered", async () => {
    const { zk, socket } = await connect();
    const events: string[] = [];
    const a = (e: WatchedEvent) => events.push(`a ${e.type}`);
    const b = (e: WatchedEvent) => events.push(`b ${e.type}`);
    const set = Promise.all([zk.getData("/r", { watch: a }), zk.getChildren("/r", { watch: a })]);
    await flush();
    answerInOneChunk(socket, socket.frames.slice(-2));
    await set;
    const removing = zk.removeAllWatches("/r", "any");
    const listing = zk.getChildren("/r", { watch: b });
    await flush();
    const sent = socket.frames.slice(-2);
    assert.deepEqual(sent.map((f) => header(f).type), [OpCode.removeWatches, OpCode.getChildren]);
    answerInOneChunk(socket, sent);
    await flush();
    // The removal of the child watches goes after the listing: the server
    // removes the watch the listing set too.
    const last = socket.frames.at(-1)!;
    assert.equal(header(last).type, OpCode.removeWatches);
    answerInOneChunk(socket, [last]);
    await Promise.all([removing, listing]);
    await flush();
    assert.deepEqual(events.sort(), [
      "a ChildWatchRemoved",
      "a DataWatchRemoved",
      "b ChildWatchRemoved",
    ]);
    await zk.close();
  });

  it("a removal that fails half way keeps the kinds it did not remove", async () => {
    const { zk, socket } = await connect();
    const events: string[] = [];
    const w = (e: WatchedEvent) => events.push(e.type);
    const set = Promise.all([zk.getData("/r", { watch: w }), zk.getChildren("/r", { watch: w })]);
    await flush();
    answerInOneChunk(socket, socket.frames.slice(-2));
    await set;
    const removing = zk.removeWatches("/r", w, "any");
    await flush();
    answerInOneChunk(socket, socket.frames.slice(-1));
    await flush();
    socket.drop();
    await assert.rejects(removing, (e: unknown) => ZooKeeperError.is(e, "CONNECTIONLOSS"));
    await flush();
    assert.deepEqual(events, ["DataWatchRemoved"]);
    // The child watch is still held here, to restore or to remove.
    await zk.removeWatches("/r", w, "children", { local: true });
    await flush();
    assert.deepEqual(events, ["DataWatchRemoved", "ChildWatchRemoved"]);
    await zk.close();
  });
});
