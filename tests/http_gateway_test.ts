import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { digestACL, OPEN_ACL_UNSAFE, Registry, type ZooKeeper } from "../mod.ts";
import { type Gateway, serve, type ServiceView } from "../src/http/mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually } from "./helpers/wait.ts";
import { EventReader } from "./helpers/sse.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { track } from "./helpers/timing.ts";

const TOKEN = "test-token-123";

describe("The HTTP gateway in-process, on a real server", () => {
  const fx = useZooKeeper();
  let zk: ZooKeeper;
  let registry: Registry;
  let elsewhere: Registry;
  let gateway: Gateway;
  let writable: Gateway;

  const get = (path: string, init?: RequestInit) =>
    gateway(new Request(`http://localhost${path}`, init));
  const json = async (path: string) => {
    const response = await get(path);
    return { status: response.status, body: await response.json(), response };
  };

  before(async () => {
    zk = await fx.connect();
    registry = await fx.registry();
    elsewhere = await fx.registry();
    await elsewhere.setNode("/services/web/host1:8080", { address: "10.0.0.1", port: 8080 });
    await elsewhere.setNode("/services/db/host9:5432", {});
    gateway = serve(registry);
    writable = serve(registry, { token: TOKEN, base: "/services" });
    fx.defer(() => writable.close());
    fx.defer(() => gateway.close());
  });

  it("GET /v1/services lists the services with their instance counts", async () => {
    const { status, body } = await json("/v1/services");
    assert.equal(status, 200);
    assert.deepEqual(body.services, [{ name: "db", instances: 1 }, { name: "web", instances: 1 }]);
    assert.equal(body.stale, false);
  });

  it("GET /v1/services/{name} returns the discovery model with an ETag, and 304 for it", async () => {
    const { status, body, response } = await json("/v1/services/web");
    assert.equal(status, 200);
    const view = body as ServiceView;
    assert.equal(view.name, "web");
    assert.equal(view.instances.length, 1);
    assert.equal(view.instances[0].id, "host1:8080");
    assert.equal(view.instances[0].address, "10.0.0.1");
    assert.equal(view.instances[0].port, 8080);
    assert.match(view.instances[0].holder ?? "", /:\d+$/);
    const etag = response.headers.get("etag");
    assert.equal(etag, `"${view.version}"`);
    const again = await get("/v1/services/web", { headers: { "if-none-match": etag! } });
    assert.equal(again.status, 304);
    assert.equal((await json("/v1/services/nope")).status, 404);
  });

  it("a blocking query answers when the instances change, and after wait when they do not", async () => {
    // The waits run on a clock the test moves; the instances are real.
    const clock = new FakeClock();
    const timed = serve(registry, { clock });
    const ask = async (path: string) =>
      (await timed(new Request(`http://localhost${path}`))).json();
    // A parked query's timer is the earliest one: the gateway's others (the
    // read timeout, idle paths) are seconds longer.
    const parked = (ms: number) =>
      eventually(() => clock.nextAt === clock.now() + ms, `a query parked for ${ms} ms`);
    try {
      const { version } = await ask("/v1/services/web");
      const quiet = track(ask(`/v1/services/web?index=${version}&wait=1s`));
      await parked(1000);
      clock.advance(1000);
      await quiet.done;
      assert.equal(quiet.value.version, version, "the same version once `wait` has passed");
      const waiting = track(ask(`/v1/services/web?index=${version}&wait=2s`));
      await parked(2000);
      await elsewhere.setNode("/services/web/host2:8080", { address: "10.0.0.2", port: 8080 });
      await waiting.done;
      assert.equal(clock.now(), 1000, "answered with no time passing");
      assert.notEqual(waiting.value.version, version);
      assert.deepEqual(waiting.value.instances.map((i: { id: string }) => i.id), [
        "host1:8080",
        "host2:8080",
      ]);
    } finally {
      await timed.close();
    }
    await elsewhere.unset("/services/web/host2:8080");
    await eventually(
      async () => (await json("/v1/services/web")).body.instances.length === 1,
      "the removal to show",
    );
  });

  it("GET /v1/watch/{name} sends the state, then one event per change, resumable by id", async () => {
    const response = await get("/v1/watch/web");
    assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const events = new EventReader(response);
    const first = await events.nextOf("instances");
    assert.equal((first.data as ServiceView).instances.length, 1);
    await elsewhere.setNode("/services/web/host3:8080", { address: "10.0.0.3" });
    const second = await events.nextOf("instances");
    assert.notEqual(second.id, first.id);
    assert.equal((second.data as ServiceView).instances.length, 2);
    await events.close();
    // Resuming from the current id sends no instances until the next change.
    const resumed = new EventReader(
      await get("/v1/watch/web", { headers: { "last-event-id": second.id! } }),
    );
    assert.equal((await resumed.next()).event, "health");
    await elsewhere.unset("/services/web/host3:8080");
    const third = await resumed.nextOf("instances");
    assert.equal((third.data as ServiceView).instances.length, 1);
    await resumed.close();
    // An unknown id gets the current state at once.
    const fresh = new EventReader(
      await get("/v1/watch/web", { headers: { "last-event-id": "nonsense" } }),
    );
    assert.equal((await fresh.next()).id, third.id);
    await fresh.close();
  });

  it("GET /v1/nodes/{path} returns the registry's get() under the base only", async () => {
    const { status, body } = await json("/v1/nodes/web/host1:8080");
    assert.equal(status, 200);
    assert.equal(body.path, "/services/web/host1:8080");
    assert.equal(body.data.address, "10.0.0.1");
    assert.equal(typeof body.stat.czxid, "string");
    const base = await json("/v1/nodes");
    assert.deepEqual(Object.keys(base.body.children).sort(), ["db", "web"]);
    assert.equal((await json("/v1/nodes/web/missing")).status, 404);
    for (
      const bad of ["/v1/nodes/%2e%2e/zookeeper", "/v1/nodes/web%2F..%2F..", "/v1/nodes/a%00b"]
    ) {
      const response = await json(bad);
      assert.ok([400, 404].includes(response.status), `${bad}: ${response.status}`);
      assert.equal(typeof response.body.error.message, "string");
    }
    assert.equal((await json("/v1/nodes/web%2Fhost1:8080")).status, 400);
    assert.equal((await json("/v1/nodes/web/a%00b")).status, 400);
  });

  it("GET /healthz and /metrics report the connection and the counts", async () => {
    const health = await json("/healthz");
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { connected: true, state: "connected", stale: false });
    const metrics = await get("/metrics");
    assert.match(metrics.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    assert.match(text, /^zk_registry_connected 1$/m);
    assert.match(text, /^zk_registry_state\{state="connected"\} 1$/m);
    assert.match(text, /^http_requests_total\{code="200",route="\/healthz"\} 1$/m);
    assert.match(text, /^# TYPE http_request_duration_seconds histogram$/m);
  });

  it("writes are refused without a token configured, and need the right one", async () => {
    const body = JSON.stringify({ address: "10.1.1.1", port: 9000 });
    const put = (g: Gateway, auth?: string) =>
      g(
        new Request("http://localhost/v1/services/api/a1?ttl=30s", {
          method: "PUT",
          body,
          headers: auth === undefined ? {} : { authorization: auth },
        }),
      );
    assert.equal((await put(gateway, `Bearer ${TOKEN}`)).status, 405);
    assert.equal((await put(writable)).status, 401);
    assert.equal((await put(writable, "Bearer wrong")).status, 401);
    assert.equal((await put(writable, `Bearer ${TOKEN}x`)).status, 401);
    assert.equal(await zk.exists("/services/api/a1"), null);
    const created = await put(writable, `Bearer ${TOKEN}`);
    assert.equal(created.status, 201);
    assert.equal((await created.json()).outcome, "created");
    const renewed = await put(writable, `Bearer ${TOKEN}`);
    assert.equal((await renewed.json()).outcome, "renewed");
    const node = JSON.parse(new TextDecoder().decode((await zk.getData("/services/api/a1")).data));
    assert.equal(node.address, "10.1.1.1");
    assert.equal(node.serviceType, "DYNAMIC");
    const del = (auth: string) =>
      writable(
        new Request("http://localhost/v1/services/api/a1", {
          method: "DELETE",
          headers: { authorization: auth },
        }),
      );
    assert.equal((await del("Bearer nope")).status, 401);
    assert.notEqual(await zk.exists("/services/api/a1"), null);
    assert.equal((await del(`Bearer ${TOKEN}`)).status, 204);
    assert.equal(await zk.exists("/services/api/a1"), null);
  });

  it("a registration that is not renewed goes when its TTL passes", async () => {
    const response = await writable(
      new Request("http://localhost/v1/services/ttl/t1?ttl=1s", {
        method: "PUT",
        body: JSON.stringify({ address: "10.2.2.2" }),
        headers: { authorization: `Bearer ${TOKEN}` },
      }),
    );
    assert.equal(response.status, 201);
    assert.notEqual(await zk.exists("/services/ttl/t1"), null);
    await eventually(async () => await zk.exists("/services/ttl/t1") === null, "expiry", 5000);
  });

  it("bad bodies are refused with a JSON 4xx and write nothing", async () => {
    const put = (body: string, headers: Record<string, string> = {}) =>
      writable(
        new Request("http://localhost/v1/services/bad/b1", {
          method: "PUT",
          body,
          headers: { authorization: `Bearer ${TOKEN}`, ...headers },
        }),
      );
    const cases: [string, number][] = [
      ["not json", 400],
      ["[]", 400],
      [JSON.stringify([{ address: "a" }, { address: "b" }]), 400],
      [JSON.stringify({ port: 1 }), 400],
      [JSON.stringify({ address: "a", port: 70000 }), 400],
      [JSON.stringify({ address: "a", extra: 1 }), 400],
      [JSON.stringify({ address: "a", payload: "x".repeat(70_000) }), 413],
    ];
    for (const [body, status] of cases) {
      const response = await put(body);
      assert.equal(response.status, status, body.slice(0, 40));
      assert.equal((await response.json()).error.status, status);
    }
    assert.equal(await zk.exists("/services/bad/b1"), null);
  });

  it("event streams and blocking queries are bounded", async () => {
    const small = serve(registry, { limits: { maxSubscribers: 1, maxLongPolls: 1 } });
    try {
      const one = await small(new Request("http://localhost/v1/watch"));
      assert.equal(one.status, 200);
      const two = await small(new Request("http://localhost/v1/watch/web"));
      assert.equal(two.status, 429);
      assert.equal((await two.json()).error.status, 429);
      await one.body?.cancel();
      const { version } = await (await small(new Request("http://localhost/v1/services/web")))
        .json();
      const waiting = small(
        new Request(`http://localhost/v1/services/web?index=${version}&wait=1s`),
      );
      const refused = await small(
        new Request(`http://localhost/v1/services/web?index=${version}&wait=1s`),
      );
      assert.equal(refused.status, 429);
      assert.equal((await waiting).status, 200);
      const tooLong = await small(new Request(`http://localhost/v1/services/web?index=x&wait=3h`));
      assert.equal(tooLong.status, 400);
    } finally {
      await small.close();
    }
  });

  it("CORS headers are sent only to configured origins", async () => {
    const open = serve(registry, { corsOrigins: ["https://ok.example"] });
    try {
      const ok = await open(
        new Request("http://localhost/v1/services", { headers: { origin: "https://ok.example" } }),
      );
      assert.equal(ok.headers.get("access-control-allow-origin"), "https://ok.example");
      const other = await open(
        new Request("http://localhost/v1/services", {
          headers: { origin: "https://evil.example" },
        }),
      );
      assert.equal(other.headers.get("access-control-allow-origin"), null);
      const none = await gateway(
        new Request("http://localhost/v1/services", { headers: { origin: "https://ok.example" } }),
      );
      assert.equal(none.headers.get("access-control-allow-origin"), null);
    } finally {
      await open.close();
    }
  });

  it("serve() refuses a base that is not a ZooKeeper path", () => {
    assert.throws(() => serve(registry, { base: "services" }), RangeError);
    assert.throws(() => serve(registry, { base: "/services/" }), RangeError);
  });

  it("the page, its script and its style are served with a content security policy", async () => {
    const page = await get("/");
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-security-policy")!, /default-src 'none'/);
    assert.match(await page.text(), /<script type="module" src="app.js">/);
    assert.match(await (await get("/app.js")).text(), /new EventSource\("v1\/watch"\)/);
    assert.equal((await get("/app.css")).headers.get("content-type"), "text/css; charset=utf-8");
  });

  it("the page has its first view in the HTML: services, instances, age and holder, escaped", async () => {
    await zk.create("/services/empty-parent", "");
    await elsewhere.setNode("/services/odd/<i>x", { note: "<b>" });
    let html = "";
    await eventually(
      async () => (html = await (await get("/")).text()).includes('data-name="odd"'),
      "the new service in the catalog",
    );
    assert.match(html, /<details class="service" data-name="web" open>/);
    assert.match(html, /<tr data-id="host1:8080">/);
    assert.match(html, /<td data-label="Address">10.0.0.1<\/td>/);
    // A plain registration's age comes from its created field, its holder from hostname:pid.
    const row = html.slice(html.indexOf('<tr data-id="host1:8080">'));
    assert.match(row, /<span class="age" data-since="[1-9]\d+">\d+s<\/span>/);
    assert.match(row, /<td data-label="Held by">[^<]+:\d+<\/td>/);
    assert.ok(
      html.includes("&#60;i&#62;x") && html.includes("&#34;&#60;b&#62;&#34;"),
      "text, not markup",
    );
    assert.ok(!html.includes("<b>") && !html.includes("<i>"));
    assert.ok(!html.includes('data-name="empty-parent"'), "an empty parent is not a service");
    assert.match(html, /<p id="summary" aria-live="polite">3 services, 3 instances<\/p>/);
    const icon = await get("/favicon.svg");
    assert.equal(icon.status, 200);
    assert.equal(icon.headers.get("content-type"), "image/svg+xml");
    assert.match(html, /<link rel="icon" href="favicon.svg"/);
    await elsewhere.unset("/services/odd/<i>x");
  });
});

describe("The gateway's catalog after a failed first read", () => {
  const fx = useZooKeeper();

  it("reads the base again on the next request once it can", async () => {
    await using root = await fx.chroot();
    const admin = await root.connect();
    await admin.create("/services", "", { acl: [await digestACL("owner", "pw")] });
    await using registry = await Registry.connect({
      servers: root.connectString,
      onError: () => {},
    });
    const gateway = serve(registry, { onError: () => {} });
    try {
      const services = () => gateway(new Request("http://localhost/v1/services"));
      const refused = await services();
      assert.ok(refused.status >= 400, `${refused.status}`);
      await refused.body?.cancel();
      await admin.addAuth("digest", "owner:pw");
      await admin.setACL("/services", OPEN_ACL_UNSAFE);
      // The registry reads the base again after its backoff; the catalog
      // then answers, where a failed first read used to stay its answer.
      await eventually(async () => {
        const answer = await services();
        await answer.body?.cancel();
        return answer.status === 200;
      }, "the catalog to answer");
      assert.deepEqual((await (await services()).json()).services, []);
    } finally {
      await gateway.close();
    }
  });
});
