import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { Registry, type RegistryState } from "../mod.ts";
import { Metrics, PrometheusClientRecorder, RegistryObserver, serve } from "../src/http/mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";

/** Just enough of a registry for the observer: a state and its listeners. */
function fakeRegistry(): { registry: Registry; set(state: RegistryState): void } {
  let state: RegistryState = { type: "connecting" };
  const listeners = new Set<(s: RegistryState) => void>();
  const registry = {
    get state() {
      return state;
    },
    onStateChange(callback: (s: RegistryState) => void) {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
  } as unknown as Registry;
  return {
    registry,
    set(next) {
      state = next;
      for (const l of listeners) l(next);
    },
  };
}

const CONNECTED = {
  type: "connected",
  sessionId: 1n,
  timeout: 10_000,
  host: { host: "127.0.0.1", port: 2181 },
} as const;

describe("Metrics", () => {
  it("render() writes counters, gauges and histograms in Prometheus' text format", () => {
    const metrics = new Metrics();
    const requests = metrics.counter("requests_total", "Requests.\nAll of them.");
    requests.inc({ code: "200" });
    requests.inc({ code: "200" }, 2);
    requests.inc({ code: 'a"b\\c\nd' });
    metrics.gauge("open", "Open things.").set(3);
    const latency = metrics.histogram("latency_seconds", "Latency.", [0.1, 1]);
    latency.observe(0.05, { op: "get" });
    latency.observe(0.5, { op: "get" });
    latency.observe(5, { op: "get" });
    assert.equal(
      metrics.render(),
      [
        "# HELP requests_total Requests.\\nAll of them.",
        "# TYPE requests_total counter",
        'requests_total{code="200"} 3',
        'requests_total{code="a\\"b\\\\c\\nd"} 1',
        "# HELP open Open things.",
        "# TYPE open gauge",
        "open 3",
        "# HELP latency_seconds Latency.",
        "# TYPE latency_seconds histogram",
        'latency_seconds_bucket{op="get",le="0.1"} 1',
        'latency_seconds_bucket{op="get",le="1"} 2',
        'latency_seconds_bucket{op="get",le="+Inf"} 3',
        'latency_seconds_sum{op="get"} 5.55',
        'latency_seconds_count{op="get"} 3',
        "",
      ].join("\n"),
    );
  });

  it("refuses bad names, duplicates, falling counters and unsorted buckets", () => {
    const metrics = new Metrics();
    metrics.counter("a_total", "A.");
    assert.throws(() => metrics.counter("a_total", "Again."), RangeError);
    assert.throws(() => metrics.gauge("1bad", "Bad."), RangeError);
    assert.throws(() => metrics.counter("b_total", "B.").inc({}, -1), RangeError);
    assert.throws(() => metrics.gauge("c", "C.").set(1, { "bad-label": "x" }), RangeError);
    assert.throws(() => metrics.histogram("d", "D.", [1, 1]), RangeError);
  });
});

describe("PrometheusClientRecorder", () => {
  it("keeps requests in flight, latency by operation, errors by code and watches by kind", () => {
    const recorder = new PrometheusClientRecorder();
    recorder.requestStarted("getData");
    recorder.requestStarted("getData");
    recorder.requestStarted("create");
    recorder.requestEnded("getData", 2);
    recorder.requestEnded("create", 30, "NODEEXISTS");
    recorder.watchesHeld("data", 4);
    recorder.watchesHeld("data", 3);
    recorder.eventDelivered("NodeDataChanged");
    const text = recorder.metrics.render();
    assert.match(text, /^zk_client_requests_in_flight\{op="getData"\} 1$/m);
    assert.match(text, /^zk_client_requests_in_flight\{op="create"\} 0$/m);
    assert.match(text, /^zk_client_request_duration_seconds_count\{op="getData"\} 1$/m);
    assert.match(
      text,
      /^zk_client_request_duration_seconds_bucket\{op="getData",le="0.0025"\} 1$/m,
    );
    assert.match(text, /^zk_client_request_duration_seconds_bucket\{op="create",le="0.025"\} 0$/m);
    assert.match(text, /^zk_client_request_errors_total\{code="NODEEXISTS",op="create"\} 1$/m);
    assert.doesNotMatch(text, /request_errors_total\{[^}]*op="getData"/);
    assert.match(text, /^zk_client_watches\{kind="data"\} 3$/m);
    assert.match(text, /^zk_client_events_delivered_total\{type="NodeDataChanged"\} 1$/m);
  });
});

describe("RegistryObserver", () => {
  it("counts connects, reconnects, disconnects, expirations and auth failures, and staleness", () => {
    const { registry, set } = fakeRegistry();
    let now = 1_000_000;
    const observer = new RegistryObserver(registry, {
      now: () => now,
      cacheEntries: () => 7,
      registrations: () => ({ total: 3, healthy: 2 }),
      eventsDelivered: () => 11,
    });
    set(CONNECTED);
    set({ type: "disconnected", error: new Error("gone") });
    now += 4_500;
    let snapshot = observer.snapshot();
    assert.equal(snapshot.connected, false);
    assert.equal(snapshot.staleSeconds, 4.5);
    set({ ...CONNECTED, type: "reconnected" });
    set({ type: "expired" });
    set(CONNECTED);
    set({ type: "authFailed" });
    snapshot = observer.snapshot();
    assert.deepEqual(
      { ...snapshot, staleSeconds: 0 },
      {
        state: "authFailed",
        connected: false,
        connects: 2,
        reconnects: 1,
        disconnects: 1,
        expirations: 1,
        authFailures: 1,
        staleSeconds: 0,
        cacheEntries: 7,
        registrations: 3,
        healthyRegistrations: 2,
        eventsDelivered: 11,
      },
    );
    const metrics = new Metrics();
    observer.export(metrics);
    observer.export(metrics);
    const text = metrics.render();
    assert.match(text, /^zk_registry_state\{state="authFailed"\} 1$/m);
    assert.equal(text.match(/^zk_registry_state\{/gm)?.length, 1);
    assert.match(text, /^zk_registry_state_transitions\{kind="expirations"\} 1$/m);
    assert.match(text, /^zk_registry_registrations\{health="missing"\} 1$/m);
    observer.close();
    set(CONNECTED);
    assert.equal(observer.snapshot().connects, 2);
  });
});

describe("The gateway's /metrics with a client recorder, on a real server", () => {
  const fx = useZooKeeper();

  it("shows the registry client's requests and watches next to the gateway's series", async () => {
    const recorder = new PrometheusClientRecorder();
    await using registry = await Registry.connect({
      servers: fx.server.connectString,
      metrics: recorder,
    });
    await registry.setNode("/services/web/host1:8080", { port: 8080 });
    await registry.get("/services/web", () => {});
    const gateway = serve(registry, { metrics: [recorder.metrics] });
    try {
      const response = await gateway(new Request("http://localhost/metrics"));
      assert.equal(response.status, 200);
      const text = await response.text();
      assert.match(text, /^zk_client_request_duration_seconds_count\{op="create"\} [1-9]/m);
      assert.match(text, /^zk_client_requests_in_flight\{op="create"\} 0$/m);
      assert.match(text, /^zk_client_watches\{kind="[a-zA-Z]+"\} [1-9]/m);
      assert.match(text, /^zk_client_state_changes_total\{state="connected"\} 1$/m);
      assert.match(text, /^zk_registry_state\{state="connected"\} 1$/m);
    } finally {
      await gateway.close();
    }
  });
});
