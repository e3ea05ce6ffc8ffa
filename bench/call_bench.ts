/**
 * What a call costs in the client itself, with the caller's frames given to
 * errors and without: setData over a fake transport that answers at once, so no network
 * is measured. The variants run in turns, interleaved, so that a busy machine
 * slows them alike: `deno run -A bench/call_bench.ts`.
 *
 * @module
 */

import { ZooKeeper, type ZooKeeperOptions } from "../mod.ts";
import { FakeTransport, flush } from "../tests/helpers/fake_transport.ts";
import { accept, header, reply } from "../tests/helpers/fake_session.ts";
import { writeStat } from "../tests/helpers/server_codec.ts";

const stat = {
  czxid: 1n,
  mzxid: 1n,
  ctime: 0,
  mtime: 0,
  version: 1,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  dataLength: 16,
  numChildren: 0,
  pzxid: 1n,
};

async function client(options: ZooKeeperOptions): Promise<ZooKeeper> {
  const transport = new FakeTransport();
  const opened = transport.nextSocket();
  const connecting = ZooKeeper.connect("127.0.0.1:2181", {
    transport,
    closeTimeout: 0,
    ...options,
  });
  const socket = await opened;
  await flush();
  accept(socket);
  const zk = await connecting;
  socket.onFrame = (frame) => {
    const { xid } = header(frame);
    if (xid > 0) reply(socket, xid, 2n, 0, (w) => writeStat(w, stat));
  };
  return zk;
}

const variants: [string, ZooKeeper][] = [
  ["callerStacks: false", await client({ callerStacks: false })],
  ["callerStacks: true (default)", await client({})],
  ["callerStacks: true, timeout", await client({ requestTimeout: 60_000 })],
];
const BATCH = 2000;
const ROUNDS = 41;
const times = new Map<string, number[]>(variants.map(([name]) => [name, []]));
const data = new Uint8Array(16);
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, zk] of variants) {
    const start = performance.now();
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < BATCH; i++) calls.push(zk.setData("/a/b", data, { version: 1 }));
    await Promise.all(calls);
    times.get(name)!.push(((performance.now() - start) * 1000) / BATCH);
  }
}
for (const [name, samples] of times) {
  samples.sort((a, b) => a - b);
  const median = samples[ROUNDS >> 1].toFixed(2);
  console.log(`${name.padEnd(32)} median ${median} µs/call, best ${samples[0].toFixed(2)}`);
}
for (const [, zk] of variants) await zk.close();
