import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { connect } from "node:net";
import type { Registry } from "../mod.ts";
import type { ServiceView } from "../src/http/mod.ts";
import type { HttpListener } from "../src/http/node.ts";
import { main } from "../src/cli/main.ts";
import type { ZkServer } from "./helpers/zk_server.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually } from "./helpers/wait.ts";
import { EventReader } from "./helpers/sse.ts";
import { gatewayOnSocket } from "./helpers/http_servers.ts";

/** Sends a request as written, without a client's normalization, and returns the reply. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = "";
    const socket = connect({ host: "127.0.0.1", port }, () => socket.write(text));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("\r\n\r\n")) socket.end();
    });
    socket.on("close", () => resolve(reply));
    socket.on("error", reject);
  });
}

describe("The HTTP gateway over a socket, on a real server", () => {
  const fx = useZooKeeper();
  let server: ZkServer;
  let elsewhere: Registry;
  let http: HttpListener;

  before(async () => {
    server = fx.server;
    ({ elsewhere, http } = await gatewayOnSocket(fx, async (elsewhere) => {
      await elsewhere.setNode("/services/web/host1:8080", { address: "10.0.0.1", port: 8080 });
    }, { token: "t0ken" }));
  });

  it("listen() binds to 127.0.0.1 by default and serves JSON", async () => {
    assert.equal(http.host, "127.0.0.1");
    const response = await fetch(`${http.url}/v1/services/web`);
    assert.equal(response.status, 200);
    const view = await response.json() as ServiceView;
    assert.equal(view.instances[0].address, "10.0.0.1");
  });

  it("an event stream over the socket sees a registration made elsewhere", async () => {
    const controller = new AbortController();
    const response = await fetch(`${http.url}/v1/watch/web`, { signal: controller.signal });
    const events = new EventReader(response);
    const first = await events.nextOf("instances");
    await elsewhere.setNode("/services/web/host2:8080", { address: "10.0.0.2", port: 8080 });
    const second = await events.nextOf("instances");
    assert.notEqual(second.id, first.id);
    assert.deepEqual((second.data as ServiceView).instances.map((i) => i.address), [
      "10.0.0.1",
      "10.0.0.2",
    ]);
    controller.abort();
    await events.close();
    await elsewhere.unset("/services/web/host2:8080");
  });

  it("a PUT over the socket registers, and the stream's subscribers count drops on disconnect", async () => {
    const put = await fetch(`${http.url}/v1/services/api/x1?ttl=10s`, {
      method: "PUT",
      headers: { authorization: "Bearer t0ken", "content-type": "application/json" },
      body: JSON.stringify({ address: "10.9.9.9", port: 1234 }),
    });
    assert.equal(put.status, 201);
    await eventually(async () => {
      const r = await fetch(`${http.url}/v1/services/api`);
      return r.status === 200 && (await r.json()).instances.length === 1;
    }, "the registration to show");
    let metrics = "";
    await eventually(
      async () => {
        metrics = await (await fetch(`${http.url}/metrics`)).text();
        return /^http_open\{kind="event_stream"\} 0$/m.test(metrics);
      },
      "the closed stream to be counted out",
      5000,
    );
    assert.match(metrics, /^zk_registry_registrations\{health="healthy"\} 1$/m);
  });

  it("a raw path with .. or an encoded slash is refused with 400", async () => {
    for (const path of ["/v1/nodes/../../zookeeper", "/v1/nodes/web/..", "/v1/nodes/web%2f..%2f"]) {
      const reply = await rawRequest(http.port, `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
      assert.match(reply, /^HTTP\/1\.1 400 /, path);
    }
    const ok = await fetch(`${http.url}/healthz`);
    assert.equal(ok.status, 200);
  });

  it("`service-registry serve` serves until its signal aborts", async () => {
    const controller = new AbortController();
    let output = "";
    const stdout = { write: (text: string) => output += text };
    const stderr = { write: (_: string) => true };
    const env = { ZK_SERVERS: server.connectString };
    const done = main(["serve", "--port", "0", "--base", "/services"], {
      stdout,
      stderr,
      env,
      signal: controller.signal,
    });
    try {
      await eventually(() => output.includes("Serving"), "the server to listen");
      const url = /on (http:\/\/\S+)\//.exec(output)![1];
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      await eventually(async () => {
        const r = await fetch(`${url}/v1/services`);
        return r.status === 200 &&
          (await r.json()).services.some((s: { name: string }) => s.name === "web");
      }, "the services to show");
      const put = await fetch(`${url}/v1/services/web/x`, { method: "PUT", body: "{}" });
      assert.equal(put.status, 405);
    } finally {
      // A failure above must not leave the server running.
      controller.abort();
    }
    assert.equal(await done, 0);
    assert.equal(await main(["serve", "--port", "nope"], { stdout, stderr, env }), 2);
  });
});
