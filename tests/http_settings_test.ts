import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import type { Registry } from "../mod.ts";
import { serve } from "../src/http/mod.ts";
import { EventStreams, type ServerEvent } from "../src/http/sse.ts";
import { main } from "../src/cli/main.ts";
import type { ZkServer } from "./helpers/zk_server.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { systemClock } from "../src/util/clock.ts";

describe("The gateway's idle paths and token, on a real server", () => {
  const fx = useZooKeeper();
  let server: ZkServer;
  let registry: Registry;

  before(async () => {
    server = fx.server;
    registry = await fx.registry();
    const elsewhere = await fx.registry();
    await elsewhere.setNode("/services/web/host1:8080", { address: "10.0.0.1", port: 8080 });
  });

  it("paths not read for the idle time are let go (fake clock)", async () => {
    const clock = new FakeClock();
    const gateway = serve(registry, { clock, limits: { pathIdle: 60_000 } });
    try {
      const metricOf = async () =>
        /^http_followed_paths (\d+)$/m.exec(
          await (await gateway(new Request("http://localhost/metrics"))).text(),
        )?.[1];
      assert.equal(
        (await gateway(new Request("http://localhost/v1/nodes/web/host1:8080"))).status,
        200,
      );
      assert.equal(await metricOf(), "1");
      clock.advance(59_000);
      assert.equal(await metricOf(), "1");
      clock.advance(1000);
      assert.equal(await metricOf(), "0");
    } finally {
      await gateway.close();
    }
  });

  it("serve() and `service-registry serve` refuse a token no request could send", async () => {
    assert.throws(() => serve(registry, { token: "two words" }), RangeError);
    assert.throws(() => serve(registry, { token: "é" }), RangeError);
    let errors = "";
    const code = await main(["serve", "--port", "0", "--token", "two words"], {
      stdout: { write: () => true },
      stderr: { write: (t: string) => errors += t },
      env: { ZK_SERVERS: server.connectString },
    });
    assert.equal(code, 2);
    assert.match(errors, /Invalid token/);
    assert.doesNotMatch(errors, /two words/);
  });
});

describe("EventStreams' queued-bytes budgets", () => {
  const limits = { maxSubscribers: 10, keepAlive: 60_000, maxQueuedBytes: 1000 };
  const quiet = () => {
    let send: (event: ServerEvent) => void = () => {};
    const feed = {
      initial: () => [],
      subscribe: (s: (event: ServerEvent) => void) => {
        send = s;
        return () => {};
      },
    };
    return { feed, send: (event: ServerEvent) => send(event) };
  };
  const event = { event: "x", data: "y".repeat(80) };

  it("a subscriber that does not read is cut once its queue would pass the stream budget, its queue dropped", async () => {
    const streams = new EventStreams({ ...limits, maxTotalQueuedBytes: 1_000_000 }, systemClock);
    const { feed, send } = quiet();
    const response = streams.open(feed, null, new AbortController().signal);
    let sent = 0;
    for (; sent < 30 && streams.count > 0; sent++) send(event);
    assert.equal(streams.count, 0, "ended");
    assert.ok(sent > 8, `cut after ${sent} events`);
    assert.equal(streams.queuedBytes, 0);
    await assert.rejects(response.body!.getReader().read(), /had not read/);
  });

  it("first events larger than the stream budget still reach a subscriber that reads", async () => {
    const streams = new EventStreams({ ...limits, maxTotalQueuedBytes: 1_000_000 }, systemClock);
    const big = { event: "catalog", data: "z".repeat(5000) };
    const health = { event: "health", data: { connected: true } };
    const feed = { initial: () => [big, health], subscribe: () => () => {} };
    const controller = new AbortController();
    const response = streams.open(feed, null, controller.signal);
    assert.equal(streams.count, 1, "not ended");
    const reader = response.body!.getReader();
    let text = "";
    const decoder = new TextDecoder();
    while (!text.includes("event: health")) {
      const { value, done } = await reader.read();
      assert.ok(!done, `ended after ${text.length} characters`);
      text += decoder.decode(value);
    }
    controller.abort();
    await reader.cancel();
    assert.equal(streams.count, 0);
  });

  it("streams together stay within the total budget", async () => {
    const streams = new EventStreams({ ...limits, maxTotalQueuedBytes: 1500 }, systemClock);
    const a = quiet();
    const b = quiet();
    const first = streams.open(a.feed, null, new AbortController().signal);
    const second = streams.open(b.feed, null, new AbortController().signal);
    for (let i = 0; i < 8; i++) a.send(event);
    assert.ok(streams.queuedBytes <= 1000, `${streams.queuedBytes}`);
    for (let i = 0; i < 8; i++) b.send(event);
    assert.ok(streams.queuedBytes <= 1500, `${streams.queuedBytes} queued in all`);
    assert.equal(streams.count, 1, "the stream that would pass the total is ended");
    await assert.rejects(second.text(), /had not read/);
    await first.body?.cancel();
    assert.equal(streams.count, 0);
  });
});
