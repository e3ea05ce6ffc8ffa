import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { type Registry, ServiceDiscovery, type ZooKeeper } from "../mod.ts";
import { type Gateway, serve } from "../src/http/mod.ts";
import { useZooKeeper } from "./helpers/fixture.ts";
import { eventually } from "./helpers/wait.ts";

interface Group {
  targets: string[];
  labels: Record<string, string>;
}

// What Prometheus' http_sd accepts (model.LabelName.IsValid).
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

describe("GET /v1/prometheus/targets, in-process on a real server", () => {
  const fx = useZooKeeper();
  let registry: Registry;
  let zk: ZooKeeper;
  let gateway: Gateway;

  const targets = async (): Promise<Group[]> => {
    const response = await gateway(new Request("http://localhost/v1/prometheus/targets"));
    assert.equal(response.status, 200);
    assert.match(
      response.headers.get("content-type") ?? "",
      /^application\/json(; charset=utf-8)?$/,
    );
    return await response.json() as Group[];
  };
  const service = async (name: string) =>
    (await targets()).filter((g) => g.labels.__meta_registry_service === name);

  before(async () => {
    registry = await fx.registry();
    zk = await fx.connect();
    gateway = serve(registry);
    fx.defer(() => gateway.close());
  });

  it("serves every format as http_sd groups, one per service and label set", async () => {
    await registry.setNode("/services/web/10.0.0.1:80", {});
    await registry.setNode("/services/web/10.0.0.2:80", {});
    await registry.setNode("/services/web/w3", {
      address: "10.0.0.3",
      port: 81,
      labels: { z: "b" },
    });
    await new ServiceDiscovery(registry).register("api", { id: "a1", address: "::1", port: 90 });
    await registry.setNode("/services/tls/t1", {
      name: "tls",
      id: "t1",
      address: "h.example",
      sslPort: 443,
      registrationTimeUTC: 1,
      serviceType: "DYNAMIC",
    }, { metadata: false });
    await registry.setNode("/services/ss/m", { host: "s1", port: 1 }, { format: "serverset" });
    await registry.setNode("/services/nv/m", { host: "n1", port: 2 }, { format: "nerve" });
    await eventually(async () => (await targets()).length === 6, "six groups");
    const groups = await targets();
    for (const group of groups) {
      assert.deepEqual(Object.keys(group), ["targets", "labels"]);
      for (const [name, value] of Object.entries(group.labels)) {
        assert.match(name, LABEL_NAME);
        assert.equal(typeof value, "string");
      }
    }
    const summary = groups.map((g) => [
      g.labels.__meta_registry_service,
      g.labels.__meta_registry_format,
      g.targets.join(),
    ]);
    assert.deepEqual(summary, [
      ["api", "curator", "[::1]:90"],
      ["nv", "nerve", "n1:2"],
      ["ss", "serverset", "s1:1"],
      ["tls", "curator", "h.example:443"],
      ["web", "registry", "10.0.0.1:80,10.0.0.2:80"],
      ["web", "registry", "10.0.0.3:81"],
    ]);
    assert.equal(groups[3].labels.__scheme__, "https");
    assert.equal(groups[5].labels.__meta_registry_label_z, "b");
    // The gateway's own views show the members as instances with host and port.
    for (const [name, address, port] of [["ss", "s1", 1], ["nv", "n1", 2]] as const) {
      const view = await (await gateway(new Request(`http://localhost/v1/services/${name}`)))
        .json();
      assert.deepEqual([view.instances[0].address, view.instances[0].port], [address, port]);
    }
  });

  it("an instance's labels are sanitised names and string values", async () => {
    await registry.setNode("/services/lab/h:1", {
      labels: {
        "team-name": "core",
        ["__proto__"]: "p",
        "size": 3,
        "on": true,
        "nested": { a: 1 },
        "lone": "a\uD800b",
      },
    });
    await eventually(async () => (await service("lab")).length === 1, "service lab");
    const [group] = await service("lab");
    assert.deepEqual({ ...group.labels }, {
      __meta_registry_label_team_name: "core",
      __meta_registry_label___proto__: "p",
      __meta_registry_label_size: "3",
      __meta_registry_label_on: "true",
      __meta_registry_label_lone: "a\uFFFDb",
      __meta_registry_service: "lab",
      __meta_registry_format: "registry",
    });
  });

  it("a bad instance is left out, never the whole list", async () => {
    await registry.setNode("/services/mixed/good:80", {});
    await registry.setNode("/services/mixed/no-port", {});
    await registry.setNode("/services/mixed/bad-host", { address: "a b", port: 80 });
    await registry.setNode("/services/mixed/bad-port", { address: "h", port: 0 });
    await zk.create("/services/mixed/text:99999", "not json");
    await zk.create(
      "/services/mixed/curator-no-port",
      JSON.stringify({
        address: "h",
        registrationTimeUTC: 1,
      }),
    );
    await eventually(async () => {
      const response = await gateway(new Request("http://localhost/v1/services/mixed"));
      return (await response.json()).instances?.length === 6;
    }, "six instances of mixed in the gateway");
    await eventually(async () => {
      const groups = await service("mixed");
      return groups.length === 1 && groups[0].targets.join() === "good:80";
    }, "only the good instance of mixed");
  });

  it("follows registrations: a member that goes leaves the list", async () => {
    await registry.setNode("/services/moving/m", { host: "h", port: 5 }, { format: "serverset" });
    await eventually(async () => (await service("moving")).length === 1, "the member");
    await registry.unset("/services/moving/m");
    await eventually(async () => (await service("moving")).length === 0, "the member gone");
  });
});
