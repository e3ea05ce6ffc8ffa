import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { Registry, type ZooKeeper } from "../mod.ts";
import { type Gateway, serve, type ServeOptions } from "../src/http/mod.ts";
import type { ZkServer } from "./helpers/zk_server.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { startFaultProxy } from "./helpers/fault_proxy.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { eventually } from "./helpers/wait.ts";
import { EventReader } from "./helpers/sse.ts";
import { startServeProcess } from "./helpers/serve_process.ts";
import { rawExchange, type ServedHandler, serveOn, serverKinds } from "./helpers/http_servers.ts";

const TOKEN = "hostile-test-token";
const AUTH = `Bearer ${TOKEN}`;
const encoder = new TextEncoder();

function deepArray(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

function chunked(parts: Uint8Array[]): Uint8Array[] {
  return parts.map((part) =>
    new Uint8Array([...encoder.encode(part.length.toString(16) + "\r\n"), ...part, 13, 10])
  );
}

async function metric(http: ServedHandler, line: RegExp): Promise<string | undefined> {
  const text = await (await fetch(`${http.url}/metrics`)).text();
  return line.exec(text)?.[1];
}

describe("The gateway against a hostile client, on a real server", () => {
  const fx = useZooKeeper();
  let server: ZkServer;
  let zk: ZooKeeper;
  let registry: Registry;
  let elsewhere: Registry;

  before(async () => {
    server = fx.server;
    zk = await fx.connect();
    registry = await fx.registry();
    elsewhere = await fx.registry();
    await elsewhere.setNode("/services/web/host1:8080", { address: "10.0.0.1", port: 8080 });
  });

  /** A gateway on `kind`, closed after `body` whatever it does. */
  async function withGateway(
    kind: string,
    options: ServeOptions,
    body: (http: ServedHandler, gateway: Gateway) => Promise<void>,
    on: Registry = registry,
  ): Promise<void> {
    const gateway = serve(on, { token: TOKEN, ...options });
    const http = await serveOn(kind, gateway);
    try {
      await body(http, gateway);
    } finally {
      await gateway.close();
      await http.close();
    }
  }

  for (const [n, kind] of serverKinds().entries()) {
    describe(`on ${kind}`, () => {
      it("an authenticated 2 MB chunked PUT with Expect: 100-continue gets 413 and the process serves on", async () => {
        await withGateway(kind, {}, async (http) => {
          const body = chunked(Array.from({ length: 32 }, () => new Uint8Array(65_536)));
          for (let round = 0; round < 3; round++) {
            const reply = await rawExchange(
              http.port,
              `PUT /v1/services/big${n}/i1 HTTP/1.1\r\nHost: localhost\r\n` +
                `Authorization: ${AUTH}\r\nTransfer-Encoding: chunked\r\n` +
                "Expect: 100-continue\r\n\r\n",
              { body, waitForContinue: true, until: (text) => / 413 /.test(text) },
            );
            assert.equal(reply.status, 413, `round ${round}`);
          }
          assert.equal((await fetch(`${http.url}/healthz`)).status, 200);
          assert.equal(await zk.exists(`/services/big${n}/i1`), null);
        });
      });

      it("a refused body sent whole with Content-Length gets its answer and the connection closed", async () => {
        await withGateway(kind, {}, async (http) => {
          const body = Array.from({ length: 32 }, () => new Uint8Array(65_536));
          for (const auth of ["", `Authorization: ${AUTH}\r\n`]) {
            const reply = await rawExchange(
              http.port,
              `PUT /v1/services/web/c${n} HTTP/1.1\r\nHost: localhost\r\n${auth}` +
                `Content-Length: ${32 * 65_536}\r\n\r\n`,
              { body },
            );
            assert.match(reply.text, auth === "" ? /^HTTP\/1\.1 401 / : /^HTTP\/1\.1 413 /);
            assert.notEqual(reply.ending, "open", "the server closed the connection");
          }
          assert.equal((await fetch(`${http.url}/healthz`)).status, 200);
        });
      });

      it("missing nodes answer 404 without holding watches, and the path bound never locks new services out", async () => {
        await withGateway(kind, { limits: { maxPaths: 10 } }, async (http) => {
          await fetch(`${http.url}/v1/nodes/web/host1:8080`).then((r) => r.body?.cancel());
          const watches = async () =>
            Number(/Total watches:(\d+)/.exec(await server.fourLetter("wchs"))?.[1]);
          const baseline = await watches();
          for (let i = 0; i < 40; i++) {
            const r = await fetch(`${http.url}/v1/nodes/web/bogus-${i}`);
            assert.equal(r.status, 404);
            await r.body?.cancel();
          }
          await eventually(async () => await watches() <= baseline, "the watches to be returned");
          for (let i = 0; i < 15; i++) {
            await elsewhere.setNode(`/services/many${n}/i${i}`, { address: `10.1.0.${i}` });
          }
          for (let i = 0; i < 15; i++) {
            const r = await fetch(`${http.url}/v1/nodes/many${n}/i${i}`);
            assert.equal(r.status, 200, `i${i}`);
            assert.equal((await r.json()).data.address, `10.1.0.${i}`);
          }
          const followed = await metric(http, /^http_followed_paths (\d+)$/m);
          assert.ok(Number(followed) <= 10, `${followed} paths followed`);
          for (let i = 0; i < 15; i++) await elsewhere.unset(`/services/many${n}/i${i}`);
        });
      });

      it("a node nested 3,000 deep is shown with a note, and the catalog and the page's stream still answer", async () => {
        await withGateway(kind, {}, async (http) => {
          const path = `/services/deep${n}/x`;
          await zk.create(`/services/deep${n}`).catch(() => {});
          await zk.create(
            path,
            encoder.encode(`{"address":"10.0.0.7","payload":${deepArray(3000)}}`),
          );
          try {
            const node = await fetch(`${http.url}/v1/nodes/deep${n}/x`);
            assert.equal(node.status, 200);
            assert.match(await node.text(), /not shown: nested deeper than/);
            const one = await fetch(`${http.url}/v1/services/deep${n}`);
            assert.equal(one.status, 200);
            assert.equal((await one.json()).instances[0].id, "x");
            await eventually(async () => {
              const r = await fetch(`${http.url}/v1/services`);
              const names = r.status === 200
                ? (await r.json()).services.map((s: { name: string }) => s.name)
                : [];
              return names.includes(`deep${n}`);
            }, "the catalog to list the deep service");
            const controller = new AbortController();
            const stream = await fetch(`${http.url}/v1/watch`, { signal: controller.signal });
            assert.equal(stream.status, 200);
            const events = new EventReader(stream);
            assert.equal((await events.nextOf("catalog")).event, "catalog");
            controller.abort();
            await events.close().catch(() => {});
            const put = await fetch(`${http.url}/v1/services/deep${n}/y`, {
              method: "PUT",
              headers: { authorization: AUTH },
              body: `{"address":"10.0.0.8","payload":${deepArray(3000)}}`,
            });
            assert.equal(put.status, 400);
            assert.match((await put.json()).error.message, /nests deeper than/);
            assert.equal(await zk.exists(`/services/deep${n}/y`), null);
          } finally {
            await zk.delete(path);
            await zk.delete(`/services/deep${n}`);
          }
        });
      });

      it("an encoded parameter name (?%69ndex=) is a blocking query whose slot goes with its client", async () => {
        await withGateway(kind, { limits: { maxLongPolls: 1 } }, async (http) => {
          const { version } = await (await fetch(`${http.url}/v1/services/web`)).json();
          const hangUp = new AbortController();
          const held = rawExchange(
            http.port,
            `GET /v1/services/web?%69ndex=${version}&wait=300s HTTP/1.1\r\nHost: localhost\r\n\r\n`,
            { signal: hangUp.signal, timeout: 60_000 },
          );
          const waiting = /^http_open\{kind="long_poll"\} (\d+)$/m;
          await eventually(async () => await metric(http, waiting) === "1", "the query to wait");
          hangUp.abort();
          assert.equal((await held).status, 0, "no answer before the hang-up");
          await eventually(
            async () => await metric(http, waiting) === "0",
            "the slot to be freed",
            5000,
          );
          const next = await fetch(`${http.url}/v1/services/web?index=${version}&wait=10ms`);
          assert.equal(next.status, 200);
          await next.body?.cancel();
        });
      });

      it("a foreign Host gets 421, a Host with a path 400; the listening address, localhost and configured names are served", async () => {
        const errors: unknown[] = [];
        await withGateway(
          kind,
          { hosts: ["127.0.0.1", "localhost", "gw.example"], onError: (e) => errors.push(e) },
          async (http) => {
            const status = async (host: string) =>
              (await rawExchange(
                http.port,
                `GET /v1/services/web HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
              )).status;
            assert.equal(await status(`evil.example:${http.port}`), 421);
            assert.equal(await status("evil.example"), 421);
            assert.equal(await status("x/v1/nodes/web"), 400);
            // Hosts the URL parser refuses: 400, and nothing for onError.
            for (const host of ["localhost:99999", "a%zz", "256.0.0.1", "1.2.3.4.5"]) {
              assert.equal(await status(host), 400, host);
            }
            assert.deepEqual(errors, []);
            assert.equal(await status(`localhost:${http.port}`), 200);
            assert.equal(await status(`127.0.0.1:${http.port}`), 200);
            assert.equal(await status("GW.example"), 200);
          },
        );
      });

      it("%2e and %2e%2e segments are refused with 400 as sent", async () => {
        // Bun.serve resolves dot segments before any handler sees the URL:
        // there the resolved path is served, and it never leaves the base.
        const resolved = kind === "Bun.serve";
        await withGateway(kind, {}, async (http) => {
          for (
            const path of [
              "/v1/nodes/web/%2e",
              "/v1/nodes/web/%2E%2e",
              "/v1/nodes/%2e%2e/%2e%2e/zookeeper",
            ]
          ) {
            const reply = await rawExchange(
              http.port,
              `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
            );
            if (!resolved) assert.equal(reply.status, 400, path);
            else {
              assert.ok([200, 400, 404].includes(reply.status), `${path}: ${reply.status}`);
              assert.doesNotMatch(reply.text, /"path":"\/(?!services)/, path);
            }
          }
        });
      });

      it("a PUT over a persistent node or another session's instance gets 409 and changes nothing", async () => {
        await withGateway(kind, {}, async (http) => {
          await zk.create(`/services/own${n}`).catch(() => {});
          await zk.create(`/services/own${n}/p1`, encoder.encode('{"address":"10.3.0.1"}'));
          await elsewhere.setNode(`/services/own${n}/e1`, { address: "10.3.0.2" });
          try {
            const put = (id: string) =>
              fetch(`${http.url}/v1/services/own${n}/${id}`, {
                method: "PUT",
                headers: { authorization: AUTH },
                body: '{"address":"10.9.9.9"}',
              });
            const persistent = await put("p1");
            assert.equal(persistent.status, 409);
            assert.match((await persistent.json()).error.message, /persistent node/);
            const other = await put("e1");
            assert.equal(other.status, 409);
            assert.match((await other.json()).error.message, /held by session 0x[0-9a-f]+ \(.+\)/);
            const p1 = await zk.getData(`/services/own${n}/p1`);
            assert.equal(p1.stat.ephemeralOwner, 0n);
            assert.equal(JSON.parse(new TextDecoder().decode(p1.data)).address, "10.3.0.1");
            const e1 = JSON.parse(
              new TextDecoder().decode((await zk.getData(`/services/own${n}/e1`)).data),
            );
            assert.equal(e1.address, "10.3.0.2");
          } finally {
            await zk.delete(`/services/own${n}/p1`);
            await elsewhere.unset(`/services/own${n}/e1`);
          }
        });
      });

      it("concurrent PUTs cannot pass the registration cap together", async () => {
        await withGateway(kind, { limits: { maxRegistrations: 5 } }, async (http) => {
          const statuses = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
            const r = await fetch(`${http.url}/v1/services/cap${n}/i${i}`, {
              method: "PUT",
              headers: { authorization: AUTH },
              body: `{"address":"10.4.0.${i}"}`,
            });
            await r.body?.cancel();
            return r.status;
          }));
          assert.equal(statuses.filter((s) => s === 201).length, 5, statuses.join(","));
          assert.equal(statuses.filter((s) => s === 429).length, 15, statuses.join(","));
          assert.equal((await zk.getChildren(`/services/cap${n}`)).length, 5);
        });
        await eventually(
          async () => (await zk.getChildren(`/services/cap${n}`)).length === 0,
          "the registrations to go",
        );
      });

      it("an instance id with a bidirectional control is refused", async () => {
        await withGateway(kind, {}, async (http) => {
          const r = await fetch(`${http.url}/v1/services/web/%E2%80%AEgpj.exe`, {
            method: "PUT",
            headers: { authorization: AUTH },
            body: '{"address":"10.5.0.1"}',
          });
          assert.equal(r.status, 400);
          assert.match((await r.json()).error.message, /direction/);
          assert.deepEqual(await zk.getChildren("/services/web"), ["host1:8080"]);
        });
      });

      it("with --base / ZooKeeper's own node is not served", async () => {
        await withGateway(kind, { base: "/" }, async (http) => {
          for (
            const path of [
              "/v1/nodes/zookeeper",
              "/v1/nodes/zookeeper/config",
              "/v1/services/zookeeper",
            ]
          ) {
            const r = await fetch(`${http.url}${path}`);
            assert.equal(r.status, 404, path);
            await r.body?.cancel();
          }
          const root = await (await fetch(`${http.url}/v1/nodes`)).json();
          assert.ok(!("zookeeper" in root.children));
          assert.ok("services" in root.children);
          const names = (await (await fetch(`${http.url}/v1/services`)).json()).services.map((
            s: { name: string },
          ) => s.name);
          assert.ok(!names.includes("zookeeper") && names.includes("services"), names.join(","));
        });
      });

      it("/metrics shows the queued-bytes budgets and what is queued", async () => {
        await withGateway(kind, {}, async (http) => {
          const text = await (await fetch(`${http.url}/metrics`)).text();
          assert.match(text, /^http_limit\{name="maxQueuedBytes"\} 1048576$/m);
          assert.match(text, /^http_limit\{name="maxTotalQueuedBytes"\} 67108864$/m);
          assert.match(text, /^http_event_stream_queued_bytes 0$/m);
        });
      });

      it("a DELETE while ZooKeeper is away answers 202, and the node goes when it is back", async () => {
        const proxy = await startFaultProxy({ host: "127.0.0.1", port: server.port });
        const behind = await Registry.connect({ servers: proxy.address, sessionTimeout: 30_000 });
        const errors: unknown[] = [];
        try {
          await withGateway(kind, { onError: (e) => errors.push(e) }, async (http) => {
            const put = await fetch(`${http.url}/v1/services/away/i${n}`, {
              method: "PUT",
              headers: { authorization: AUTH, "content-type": "application/json" },
              body: JSON.stringify({ address: "10.0.0.9", port: 80 }),
            });
            assert.equal(put.status, 201);
            const node = `/services/away/i${n}`;
            let deleted!: () => void;
            const gone = new Promise<void>((resolve) => deleted = resolve);
            assert.notEqual(
              await zk.exists(node, { watch: (e) => e.type === "NodeDeleted" && deleted() }),
              null,
            );
            const away = new Promise<void>((resolve) =>
              behind.onStateChange((s) => s.type === "disconnected" && resolve())
            );
            await proxy.refuse(true);
            proxy.cut();
            await away;
            const reply = await fetch(`${http.url}/v1/services/away/i${n}`, {
              method: "DELETE",
              headers: { authorization: AUTH },
            });
            assert.equal(reply.status, 202);
            await proxy.refuse(false);
            await gone;
            assert.deepEqual(errors, []);
          }, behind);
        } finally {
          await behind.close();
          await proxy.close();
        }
      });

      /**
       * What `path` answers, after `readFirst` is read, once ZooKeeper stops
       * answering and the read timeout passes on the fake clock.
       */
      async function answerWhileAway(path: string, readFirst?: string): Promise<Response> {
        const proxy = await startFaultProxy({ host: "127.0.0.1", port: server.port });
        const behind = await Registry.connect({ servers: proxy.address, sessionTimeout: 30_000 });
        const clock = new FakeClock();
        let response: Response | undefined;
        try {
          await withGateway(kind, { clock, limits: { readTimeout: 2000 } }, async (http) => {
            if (readFirst !== undefined) {
              assert.equal((await fetch(`${http.url}${readFirst}`)).status, 200);
            }
            proxy.setMode("blackhole");
            const timers = clock.pending;
            const answer = fetch(`${http.url}${path}`);
            await eventually(() => clock.pending > timers, "the read timer");
            clock.advance(2000);
            const reply = await answer;
            response = new Response(await reply.text(), { status: reply.status });
          }, behind);
        } finally {
          proxy.setMode("pass");
          await behind.close();
          await proxy.close();
        }
        return response!;
      }

      it("/v1/prometheus/targets answers 503 within the read timeout while ZooKeeper is away", async () => {
        const response = await answerWhileAway("/v1/prometheus/targets");
        assert.equal(response.status, 503);
        assert.match((await response.json()).error.message, /did not answer within 2s/);
      });

      it("an unknown path answers 503 within the read timeout while ZooKeeper is away", async () => {
        const response = await answerWhileAway("/v1/nodes/web/never-read", "/v1/services/web");
        assert.equal(response.status, 503);
        assert.match((await response.json()).error.message, /did not answer within 2s/);
      });
    });
  }

  it("`service-registry serve` lives through 10 MB PUTs refused with 413 to a client that hangs up, as curl does", async () => {
    await using gateway = await startServeProcess([], {
      ZK_SERVERS: server.connectString,
      SERVICE_REGISTRY_TOKEN: TOKEN,
    });
    const body = chunked(Array.from({ length: 160 }, () => new Uint8Array(65_536)));
    for (let round = 0; round < 3; round++) {
      const reply = await rawExchange(
        gateway.port,
        `PUT /v1/services/curl/i1 HTTP/1.1\r\nHost: 127.0.0.1:${gateway.port}\r\n` +
          `Authorization: ${AUTH}\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n`,
        { body, waitForContinue: true, until: (text) => / 413 /.test(text) },
      );
      assert.equal(reply.status, 413, `round ${round}`);
    }
    const health = await fetch(`${gateway.url}/healthz`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
    assert.ok(gateway.alive(), gateway.stderr());
    assert.equal(await gateway.stop(), 0, gateway.stderr());
  });
});
