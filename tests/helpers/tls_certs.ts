/**
 * Certificates for TLS tests, made with openssl in a temporary directory: a
 * CA, a server certificate for localhost and 127.0.0.1, and a client
 * certificate, all signed by the CA.
 *
 * @module
 */

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PEM files and texts of a test PKI. */
export interface TestCertificates extends AsyncDisposable {
  /** The directory holding the files. */
  dir: string;
  /** The CA certificate (PEM text). */
  ca: string;
  /** The client certificate and its key (PEM texts). */
  clientCert: string;
  clientKey: string;
  /** A certificate signed by another CA, which the server must refuse. */
  strangerCert: string;
  strangerKey: string;
  /** Paths for the server: CA file, and key + certificate in one PEM (ZooKeeper's PEM keystore). */
  caFile: string;
  serverKeyStore: string;
}

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("openssl", args, { cwd }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`openssl ${args[0]} failed: ${stderr || error.message}`));
      else resolve();
    });
  });
}

async function issue(dir: string, name: string, ca: string): Promise<void> {
  await openssl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    `/CN=${name}`,
  ], dir);
  await writeFile(
    join(dir, `${name}.ext`),
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
  );
  await openssl([
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${ca}.pem`,
    "-CAkey",
    `${ca}.key`,
    "-CAcreateserial",
    "-out",
    `${name}.pem`,
    "-days",
    "2",
    "-extfile",
    `${name}.ext`,
  ], dir);
}

async function authority(dir: string, name: string): Promise<void> {
  await openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.pem`,
    "-days",
    "2",
    "-subj",
    `/CN=${name}`,
  ], dir);
}

/**
 * Makes a CA, server, client and stranger certificates.
 *
 * @returns The certificates; disposing removes the directory.
 */
export async function makeCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), "zk-tls-"));
  await authority(dir, "ca");
  await authority(dir, "other-ca");
  await issue(dir, "server", "ca");
  await issue(dir, "client", "ca");
  await issue(dir, "stranger", "other-ca");
  const read = (f: string) => readFile(join(dir, f), "utf8");
  const serverKeyStore = join(dir, "server-keystore.pem");
  await writeFile(serverKeyStore, (await read("server.key")) + (await read("server.pem")));
  return {
    dir,
    ca: await read("ca.pem"),
    clientCert: await read("client.pem"),
    clientKey: await read("client.key"),
    strangerCert: await read("stranger.pem"),
    strangerKey: await read("stranger.key"),
    caFile: join(dir, "ca.pem"),
    serverKeyStore,
    async [Symbol.asyncDispose]() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The server settings of a secure client port on loopback that needs a
 * client certificate signed by the test CA, served by Netty as ZooKeeper's
 * TLS requires.
 *
 * @param certs The test PKI.
 * @param port The secure port: ZooKeeper cannot pick it itself (0 means "none").
 * @returns The `config` and `jvmFlags` to start the server with.
 */
export function secureServerOptions(
  certs: TestCertificates,
  port: number,
): { config: Record<string, string>; jvmFlags: string[] } {
  return {
    config: { secureClientPort: String(port), secureClientPortAddress: "127.0.0.1" },
    jvmFlags: [
      "-Dzookeeper.serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
      `-Dzookeeper.ssl.keyStore.location=${certs.serverKeyStore}`,
      "-Dzookeeper.ssl.keyStore.type=PEM",
      `-Dzookeeper.ssl.trustStore.location=${certs.caFile}`,
      "-Dzookeeper.ssl.trustStore.type=PEM",
      "-Dzookeeper.ssl.clientAuth=need",
    ],
  };
}
