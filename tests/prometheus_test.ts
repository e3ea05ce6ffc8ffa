import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { type Registry, ServiceDiscovery, type ZooKeeper } from "../mod.ts";
import { type Gateway, serve } from "../src/http/mod.ts";
import { type HttpListener, listen } from "../src/http/node.ts";
import type { ZkServer } from "./helpers/zk_server.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import {
  type ActiveTarget,
  docsConfig,
  type Prometheus,
  startPrometheus,
} from "./helpers/prometheus.ts";

/** The targets of one job, by address. */
function job(targets: ActiveTarget[], name: string): Map<string, ActiveTarget> {
  return new Map(
    targets.filter((t) => t.scrapePool === name).map((t) => [t.discoveredLabels.__address__, t]),
  );
}

describe("Prometheus (Debian's) discovers what the registry holds", () => {
  const fx = useZooKeeper();
  let server: ZkServer;
  let registry: Registry;
  let zk: ZooKeeper;
  let gateway: Gateway;
  let http: HttpListener;
  let prometheus: Prometheus;
  // Addresses of the targets: loopback ports nothing listens on, so that
  // Prometheus scrapes nothing but fails fast.
  const target = (n: number) => `127.0.0.1:${n}`;

  before(async () => {
    server = fx.server;
    fx.defer(async () => {
      await prometheus?.stop();
      await gateway?.close();
      await http?.close();
    });
    registry = await fx.registry();
    zk = await fx.connect();
    gateway = serve(registry);
    http = await listen(gateway, { port: 0 });
    // The watched paths exist before Prometheus starts, as the docs say.
    await registry.setNode("/serversets/web/member-1", {
      host: "127.0.0.1",
      port: 1001,
      endpoints: { "admin-http": { host: "127.0.0.1", port: 1002 } },
      shard: 3,
    }, { format: "serverset" });
    await registry.setNode("/nerve/web/member-1", { host: "127.0.0.1", port: 1011 }, {
      format: "nerve",
    });
    const config = await docsConfig({
      "127.0.0.1:2181": server.connectString,
      "127.0.0.1:8181": new URL(http.url).host,
    });
    prometheus = await startPrometheus(config);
  });

  it("finds serverset members with Prometheus' labels, and loses them when unregistered", async () => {
    await registry.setNode("/serversets/web/member-2", { host: "127.0.0.1", port: 1003 }, {
      format: "serverset",
    });
    const found = await prometheus.waitFor(
      (t) => job(t, "web-serverset").size === 2,
      "both serverset members in job web-serverset",
    );
    const one = job(found, "web-serverset").get(target(1001))!.discoveredLabels;
    assert.equal(one.__meta_serverset_path, "/serversets/web/member-1");
    assert.equal(one.__meta_serverset_endpoint_host, "127.0.0.1");
    assert.equal(one.__meta_serverset_endpoint_port, "1001");
    assert.equal(one.__meta_serverset_endpoint_host_admin_http, "127.0.0.1");
    assert.equal(one.__meta_serverset_endpoint_port_admin_http, "1002");
    assert.equal(one.__meta_serverset_status, "ALIVE");
    assert.equal(one.__meta_serverset_shard, "3");

    await registry.unset("/serversets/web/member-2");
    await prometheus.waitFor(
      (t) => job(t, "web-serverset").size === 1 && job(t, "web-serverset").has(target(1001)),
      "member-2 gone from job web-serverset",
    );
    await registry.unset("/serversets/web/member-1");
    await prometheus.waitFor(
      (t) => job(t, "web-serverset").size === 0,
      "no member left in job web-serverset",
    );
    // The watched path stays, persistent, so Prometheus keeps following it.
    const parent = await zk.exists("/serversets/web");
    assert.ok(parent !== null, "the parent is kept");
    assert.equal(parent.ephemeralOwner, 0n, "the parent is not ephemeral");
    await registry.setNode("/serversets/web/member-3", { host: "127.0.0.1", port: 1004 }, {
      format: "serverset",
    });
    await prometheus.waitFor(
      (t) => job(t, "web-serverset").has(target(1004)),
      "member-3 in job web-serverset",
    );
  });

  it("finds Nerve entries with Prometheus' labels, and loses them when unregistered", async () => {
    const found = await prometheus.waitFor(
      (t) => job(t, "web-nerve").has(target(1011)),
      "the Nerve entry in job web-nerve",
    );
    const labels = job(found, "web-nerve").get(target(1011))!.discoveredLabels;
    assert.equal(labels.__meta_nerve_path, "/nerve/web/member-1");
    assert.equal(labels.__meta_nerve_endpoint_host, "127.0.0.1");
    assert.equal(labels.__meta_nerve_endpoint_port, "1011");
    assert.equal(labels.__meta_nerve_endpoint_name, "web");
    await registry.unset("/nerve/web/member-1");
    await prometheus.waitFor((t) => job(t, "web-nerve").size === 0, "job web-nerve empty");
    assert.equal((await zk.exists("/nerve/web"))?.ephemeralOwner, 0n, "the parent is kept");
  });

  it("finds the gateway's instances of every format, one bad one left out", async () => {
    await registry.setNode(`/services/web/${target(1021)}`, {
      labels: { zone: "eu-1", "team-name": "core" },
    });
    await new ServiceDiscovery(registry).register("api", {
      id: "api-1",
      address: "127.0.0.1",
      port: 1022,
      payload: { labels: { tier: "back" } },
    });
    await registry.setNode("/services/ss/m1", { host: "127.0.0.1", port: 1023 }, {
      format: "serverset",
    });
    await registry.setNode("/services/nv/m1", { host: "127.0.0.1", port: 1024 }, {
      format: "nerve",
    });
    await registry.setNode("/services/web/broken", { address: "not a host", port: 1 });

    const response = await fetch(`${http.url}/v1/prometheus/targets`);
    assert.match(
      response.headers.get("content-type") ?? "",
      /^application\/json(; charset=utf-8)?$/,
    );
    const groups = await response.json() as { targets: string[]; labels: object }[];
    assert.deepEqual(groups.map((g) => g.targets), [
      [target(1022)],
      [target(1024)],
      [target(1023)],
      [target(1021)],
    ]);
    for (const group of groups) assert.deepEqual(Object.keys(group), ["targets", "labels"]);

    const found = await prometheus.waitFor(
      (t) => job(t, "registry").size === 4,
      "the four gateway instances in job registry",
    );
    const registryJob = job(found, "registry");
    const web = registryJob.get(target(1021))!;
    assert.equal(web.discoveredLabels.__meta_registry_service, "web");
    assert.equal(web.discoveredLabels.__meta_registry_format, "registry");
    assert.equal(web.discoveredLabels.__meta_registry_label_zone, "eu-1");
    assert.equal(web.discoveredLabels.__meta_registry_label_team_name, "core");
    // The docs' relabelling: the service and the instance's labels kept.
    assert.equal(web.labels.service, "web");
    assert.equal(web.labels.zone, "eu-1");
    const api = registryJob.get(target(1022))!;
    assert.equal(api.discoveredLabels.__meta_registry_format, "curator");
    assert.equal(api.labels.tier, "back");
    assert.equal(
      registryJob.get(target(1023))!.discoveredLabels.__meta_registry_format,
      "serverset",
    );
    assert.equal(registryJob.get(target(1024))!.discoveredLabels.__meta_registry_service, "nv");

    await registry.unset("/services/ss/m1");
    await prometheus.waitFor(
      (t) => job(t, "registry").size === 3 && !job(t, "registry").has(target(1023)),
      "the serverset instance gone from job registry",
    );
  });
});
