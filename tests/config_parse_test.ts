/**
 * The config node's text in every form the server writes, a text the client
 * cannot parse failing only the call that read it, and a real multi-address
 * ensemble's config.
 */

import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { ZooKeeper, ZooKeeperError } from "../mod.ts";
import { clientHosts, parseConfig } from "../src/client/config.ts";
import { CONFIG_RETRY_FIRST, followConfig } from "../src/client/reconfig.ts";
import type { EnsembleConfig } from "../src/client/config.ts";
import type { ZkEnsemble } from "./helpers/zk_server.ts";
import { useEnsemble } from "./helpers/fixture.ts";
import { FakeClock } from "../src/testing/fake_clock.ts";
import { flush } from "./helpers/fake_transport.ts";
import { fakeClient, header, reply } from "./helpers/fake_session.ts";
import { writeGetDataResponse, writeStat, zeroStat } from "./helpers/server_codec.ts";
import { OpCode } from "../src/protocol/constants.ts";

const stat = zeroStat();

describe("parseConfig()", () => {
  it("reads several quorum addresses separated by |, the role after the last", () => {
    const config = parseConfig(
      [
        "server.1=127.0.0.1:2898:3898|127.0.0.2:2899:3899:participant;127.0.0.1:2181",
        "server.2=[::1]:2888:3888|[fe80::1]:2889:3889:observer;[::1]:2182",
        "server.3=10.0.0.3:2888:3888|10.0.1.3:2888:3888",
        "version=100000003",
      ].join("\n"),
      stat,
    );
    const [one, two, three] = config.servers;
    assert.deepEqual(one.addresses, [
      { host: "127.0.0.1", quorumPort: 2898, electionPort: 3898 },
      { host: "127.0.0.2", quorumPort: 2899, electionPort: 3899 },
    ]);
    assert.equal(one.role, "participant");
    assert.equal(two.role, "observer");
    assert.deepEqual(two.addresses.map((a) => a.host), ["::1", "fe80::1"]);
    assert.equal(three.client, undefined);
    assert.equal(three.role, "participant");
    assert.deepEqual(clientHosts(config), [
      { host: "127.0.0.1", port: 2181 },
      { host: "::1", port: 2182 },
    ]);
    assert.equal(config.version, 0x100000003n);
  });

  it("reads client addresses: a port alone, a wildcard, a bracketed IPv6 address", () => {
    const config = parseConfig(
      [
        "server.1=10.0.0.1:2888:3888;2181",
        "server.2=10.0.0.2:2888:3888:participant;0.0.0.0:2182",
        "server.3=[2001:db8::3]:2888:3888;[::]:2183",
        "server.4=10.0.0.4:2888:3888;[2001:db8::4]:2184",
      ].join("\n"),
      stat,
    );
    assert.deepEqual(clientHosts(config), [
      { host: "10.0.0.1", port: 2181 },
      { host: "10.0.0.2", port: 2182 },
      { host: "2001:db8::3", port: 2183 },
      { host: "2001:db8::4", port: 2184 },
    ]);
  });

  it("refuses a line it cannot read with MARSHALLINGERROR", () => {
    for (
      const line of [
        "server.1=10.0.0.1:2888",
        "server.1=10.0.0.1:2888:3888:leader",
        "server.1=10.0.0.1:2888:3888:participant|10.0.0.2:1:2",
        "server.1=[::1:2888:3888",
        "server.1=10.0.0.1:2888:99999",
        "version=xyz",
      ]
    ) {
      assert.throws(
        () => parseConfig(line, stat),
        (e: unknown) => ZooKeeperError.is(e, "MARSHALLINGERROR"),
        line,
      );
    }
  });
});

describe("A config text the client cannot parse", () => {
  it("fails the getConfig() that read it, not the connection", async () => {
    const text = new TextEncoder().encode("server.1=10.0.0.1:2888:3888:chairman\n");
    const { zk, transport } = await fakeClient((frame, socket) => {
      const { xid, type } = header(frame);
      if (type === OpCode.getData) {
        reply(socket, xid, 7n, 0, (w) => writeGetDataResponse(w, { data: text, stat }));
      } else if (type === OpCode.exists) {
        reply(socket, xid, 8n, 0, (w) => writeStat(w, stat));
      }
    });
    await assert.rejects(zk.getConfig(), (e: unknown) => {
      assert.ok(ZooKeeperError.is(e, "MARSHALLINGERROR"));
      assert.match(e.message, /bad role "chairman"/);
      return true;
    });
    assert.deepEqual(await zk.exists("/a"), stat);
    assert.equal(transport.sockets.length, 1);
    assert.equal(zk.state.type, "connected");
    await zk.close();
  });
});

describe("followConfig()", () => {
  it("reads again after a failed read with a wait that doubles, reporting each failure", async () => {
    const clock = new FakeClock();
    const errors: unknown[] = [];
    let reads = 0;
    let answer: (() => void) | undefined;
    followConfig({
      getConfig: () => {
        reads++;
        return new Promise<EnsembleConfig>((_, reject) => {
          answer = () => reject(new ZooKeeperError("MARSHALLINGERROR", "Malformed config"));
        });
      },
      hosts: () => [],
      update: () => {},
      onStateChange: () => () => {},
      onError: (e) => errors.push(e),
      clock,
    });
    const fail = async () => {
      answer!();
      await flush();
    };
    assert.equal(reads, 1);
    await fail();
    assert.equal(errors.length, 1);
    clock.advance(CONFIG_RETRY_FIRST - 1);
    assert.equal(reads, 1);
    clock.advance(1);
    assert.equal(reads, 2);
    await fail();
    clock.advance(2 * CONFIG_RETRY_FIRST - 1);
    assert.equal(reads, 2);
    clock.advance(1);
    assert.equal(reads, 3);
  });
});

describe("The config of a real multi-address ensemble (zookeeper.multiAddress.enabled)", () => {
  const fx = useEnsemble(1, { reconfig: true, multiAddress: true });
  let cluster: ZkEnsemble;
  let zk: ZooKeeper;

  before(async () => {
    cluster = fx.ensemble;
    zk = await fx.connect();
  });

  it("getConfig() reads every address of the member, and the session goes on", async () => {
    const config = await zk.getConfig();
    assert.match(config.text, /\|/, config.text);
    const [member] = config.servers;
    assert.equal(member.addresses.length, 2);
    assert.equal(member.role, "participant");
    assert.deepEqual(member.client, { host: "127.0.0.1", port: cluster.servers[0].port });
    assert.equal(zk.state.type, "connected");
    assert.ok(await zk.exists("/zookeeper"));
  });

  it("a client following the config keeps its one connection", async () => {
    const states: string[] = [];
    const follower = await ZooKeeper.connect(cluster.connectString, { followConfig: true });
    follower.onStateChange((s) => states.push(s.type));
    await follower.getConfig();
    await follower.sync("/");
    assert.deepEqual(states, []);
    await follower.close();
  });
});
