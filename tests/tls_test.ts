import { before, describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { type TlsOptions, ZooKeeper, ZooKeeperError } from "../mod.ts";
import type { TestCertificates } from "./helpers/tls_certs.ts";
import type { ZkServer } from "./helpers/zk_server.ts";
import { useZooKeeper } from "./helpers/fixture.ts";

async function refused(connectString: string, tls: TlsOptions | undefined, cause: RegExp) {
  await assert.rejects(
    ZooKeeper.connect(connectString, { tls, connectTimeout: 1500 }),
    (e: unknown) => {
      assert.ok(e instanceof ZooKeeperError);
      assert.equal(e.code, "CONNECTIONLOSS");
      assert.match(e.message, cause);
      return true;
    },
  );
}

describe("TLS to ZooKeeper's secure client port", () => {
  const fx = useZooKeeper({ tls: true });
  let certs: TestCertificates;
  let server: ZkServer;
  let securePort: number;

  before(() => {
    ({ certs, port: securePort } = fx.secure);
    server = fx.server;
  });

  it("connects with the CA and a client certificate, and works as over plain TCP", async () => {
    for (const host of ["127.0.0.1", "localhost"]) {
      await using zk = await ZooKeeper.connect(`${host}:${securePort}`, {
        tls: { caCerts: [certs.ca], cert: certs.clientCert, key: certs.clientKey },
      });
      assert.equal(zk.state.type, "connected");
      const path = `/tls-${host}`;
      await zk.create(path, "secret", { mode: "ephemeral" });
      const fired = new Promise<string>((resolve) => {
        zk.getData(path, { watch: (e) => resolve(e.type) });
      });
      await zk.setData(path, "changed");
      assert.equal(await fired, "NodeDataChanged");
      assert.equal(new TextDecoder().decode((await zk.getData(path)).data), "changed");
    }
  });

  it("the plain port and the secure port each refuse the other protocol", async () => {
    await refused(`127.0.0.1:${securePort}`, undefined, /no server answered/);
    await refused(
      server.connectString,
      { caCerts: [certs.ca], cert: certs.clientCert, key: certs.clientKey },
      /no server answered/,
    );
  });

  it("refuses a server whose certificate the CA did not sign", async () => {
    await refused(
      `127.0.0.1:${securePort}`,
      { caCerts: [certs.strangerCert], cert: certs.clientCert, key: certs.clientKey },
      /last error: .*(certificate|issuer|verify)/i,
    );
  });

  it("refuses a server whose name does not match", async () => {
    await refused(
      `127.0.0.1:${securePort}`,
      {
        caCerts: [certs.ca],
        cert: certs.clientCert,
        key: certs.clientKey,
        serverName: "wrong.example",
      },
      /last error: .*(name|altname|match|certificate)/i,
    );
  });

  it("is refused by the server without a client certificate it trusts", async () => {
    await refused(
      `127.0.0.1:${securePort}`,
      { caCerts: [certs.ca], cert: certs.strangerCert, key: certs.strangerKey },
      /no server answered/,
    );
    await refused(`127.0.0.1:${securePort}`, { caCerts: [certs.ca] }, /no server answered/);
  });
});
