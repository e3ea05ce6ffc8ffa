/**
 * The gateway's timing rules on a fake clock, at exact times: registration
 * TTLs and their renewal, blocking queries' `wait`, and keep-alive comments.
 * The registrations' registry runs on the fake clock against a real server
 * (a PUT checks the node is free before taking it); the TTL is what the
 * clock governs.
 */

import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { Registry } from "../mod.ts";
import { serve } from "../src/http/mod.ts";
import { LongPolls } from "../src/http/long_poll.ts";
import { EventStreams } from "../src/http/sse.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { idle, track } from "./helpers/timing.ts";

const WALL = Date.UTC(2026, 0, 1);

async function gatewayOn(servers: string, service: string, clock: FakeClock) {
  const registry = await Registry.connect({ servers, clock });
  const gateway = serve(registry, { token: "s3cret" });
  const put = async (ttl: string, address = "10.0.0.1") => {
    const response = await gateway(
      new Request(`http://localhost/v1/services/${service}/a?ttl=${ttl}`, {
        method: "PUT",
        headers: { authorization: "Bearer s3cret" },
        body: JSON.stringify({ address, port: 80 }),
      }),
    );
    return { status: response.status, body: await response.json() };
  };
  return { registry, gateway, put };
}

describe("gateway registrations expire on the registry's clock", () => {
  const fx = useZooKeeper();

  it("a registration goes exactly `ttl` after its last PUT; a renewal moves the expiry", async () => {
    const clock = new FakeClock({ wallStart: WALL });
    const { registry, put } = await gatewayOn(fx.server.connectString, "web", clock);
    const path = "/services/web/a";
    const created = await put("2s");
    assert.equal(created.status, 201);
    assert.equal(created.body.outcome, "created");
    assert.equal(created.body.expires, new Date(WALL + 2000).toISOString());
    clock.advance(1500);
    const renewed = await put("2s");
    assert.equal(renewed.body.outcome, "renewed");
    assert.equal(renewed.body.expires, new Date(WALL + 3500).toISOString());
    clock.advance(1999);
    assert.notEqual(registry.registration(path), undefined, "held at 3499 ms");
    clock.advance(1);
    assert.equal(registry.registration(path), undefined, "gone at 3500 ms");
    await registry.close();
  });

  it("a PUT that changes the body restarts the TTL from then, with the new TTL", async () => {
    const clock = new FakeClock({ wallStart: WALL });
    const { registry, put } = await gatewayOn(fx.server.connectString, "web2", clock);
    assert.equal((await put("5s")).status, 201);
    clock.advance(1000);
    const updated = await put("1s", "10.0.0.2");
    assert.equal(updated.body.outcome, "updated");
    assert.equal(updated.body.expires, new Date(WALL + 2000).toISOString());
    clock.advance(999);
    assert.notEqual(registry.registration("/services/web2/a"), undefined);
    clock.advance(1);
    assert.equal(registry.registration("/services/web2/a"), undefined);
    await registry.close();
  });
});

describe("blocking queries wait on the clock", () => {
  const fx = useZooKeeper();
  const never = () => () => {};

  it("a query with nothing changing answers the same version at exactly `wait`", async () => {
    const clock = new FakeClock();
    const polls = new LongPolls(10, clock);
    const answer = track(
      polls.wait(
        "v1",
        5000,
        () => Promise.resolve("v1"),
        (v) => v,
        never,
        new AbortController().signal,
      ),
    );
    await idle();
    assert.equal(polls.waiting, 1);
    clock.advance(4999);
    await idle();
    assert.equal(answer.state, "pending", "still waiting at 4999 ms");
    clock.advance(1);
    await idle();
    assert.equal(answer.state, "fulfilled", "answered at 5000 ms");
    assert.equal(answer.value, "v1");
    assert.equal(polls.waiting, 0);
    assert.equal(clock.pending, 0);
  });

  it("a change answers at once with the new version and clears the timer", async () => {
    const clock = new FakeClock();
    const polls = new LongPolls(10, clock);
    let version = "v1";
    let changed = () => {};
    const answer = track(polls.wait(
      "v1",
      5000,
      () => Promise.resolve(version),
      (v) => v,
      (onChange) => {
        changed = onChange;
        return () => {};
      },
      new AbortController().signal,
    ));
    await idle();
    clock.advance(2000);
    version = "v2";
    changed();
    await answer.done;
    assert.equal(answer.value, "v2");
    assert.equal(clock.now(), 2000);
    assert.equal(clock.pending, 0);
  });

  it("GET /v1/services?index=…&wait=3s answers at exactly 3 s through the gateway", async () => {
    const clock = new FakeClock();
    const { registry, gateway } = await gatewayOn(fx.server.connectString, "web", clock);
    const first = await gateway(new Request("http://localhost/v1/services"));
    const index = first.headers.get("x-index")!;
    await first.body?.cancel();
    const answer = track(
      gateway(new Request(`http://localhost/v1/services?index=${index}&wait=3s`)),
    );
    await idle();
    const pending = clock.pending;
    clock.advance(2999);
    await idle();
    assert.equal(answer.state, "pending", "still waiting at 2999 ms");
    assert.equal(clock.pending, pending);
    clock.advance(1);
    await idle();
    assert.equal(answer.state, "fulfilled", "answered at 3000 ms");
    assert.equal(answer.value!.status, 200);
    assert.equal(answer.value!.headers.get("x-index"), index);
    await answer.value!.body?.cancel();
    await registry.close();
  });
});

describe("event streams' keep-alive", () => {
  it("writes a keep-alive comment every `keepAlive` ms of the clock", async () => {
    const clock = new FakeClock();
    const streams = new EventStreams(
      {
        maxSubscribers: 10,
        keepAlive: 15_000,
        maxQueuedBytes: 1 << 20,
        maxTotalQueuedBytes: 1 << 26,
      },
      clock,
    );
    const closing = new AbortController();
    const response = streams.open(
      { initial: () => [], subscribe: () => () => {} },
      null,
      closing.signal,
    );
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const read = async () => decoder.decode((await reader.read()).value);
    assert.equal(await read(), "retry: 1000\n\n");
    const times: number[] = [];
    for (let i = 0; i < 2; i++) {
      const next = track(read());
      clock.advance(14_999);
      await idle();
      assert.equal(next.state, "pending", "no comment before 15 s of quiet");
      clock.advance(1);
      await idle();
      assert.equal(next.state, "fulfilled", "a comment after 15 s of quiet");
      assert.equal(next.value, ": keep-alive\n\n");
      times.push(clock.now());
    }
    assert.deepEqual(times, [15_000, 30_000]);
    closing.abort();
    assert.equal(clock.pending, 0, "closing the stream clears its timer");
  });
});
