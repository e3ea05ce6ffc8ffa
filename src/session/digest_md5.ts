/**
 * The client side of SASL's DIGEST-MD5 mechanism (RFC 2831), as ZooKeeper's
 * `SASLAuthenticationProvider` with a JAAS `DigestLoginModule` expects it:
 * service `zookeeper`, server name `zk-sasl-md5` (ZooKeeperSaslClient), qop
 * `auth` only (no integrity or confidentiality layer).
 *
 * @see https://www.rfc-editor.org/rfc/rfc2831
 * @module
 */

import { md5, toHex } from "../util/md5.ts";
import { concatBytes } from "../util/bytes.ts";

/** Settings of a DIGEST-MD5 login. */
export interface DigestMd5Options {
  /** The user, as in the server's JAAS file (`user_<name>="<password>"`). */
  username: string;
  /** Its password. */
  password: string;
  /** @default {"zookeeper"} */
  protocol?: string | undefined;
  /** @default {"zk-sasl-md5"} */
  serverName?: string | undefined;
  /** The client nonce; random unless given (tests give one). */
  cnonce?: string | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Parses a DIGEST-MD5 challenge: `key=value` pairs separated by commas,
 * values bare or quoted with backslash escapes.
 *
 * @param text The challenge.
 * @returns The values by key (the first of a repeated key wins).
 * @throws {SyntaxError} On a malformed challenge.
 */
export function parseDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const skip = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === ",")) i++;
  };
  for (skip(); i < text.length; skip()) {
    const eq = text.indexOf("=", i);
    if (eq < 0) throw new SyntaxError(`Malformed DIGEST-MD5 challenge: "${text}"`);
    const key = text.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    let value = "";
    if (text[i] === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === "\\") i++;
        value += text[i] ?? "";
      }
      if (text[i] !== '"') throw new SyntaxError(`Unterminated value in DIGEST-MD5 challenge`);
      i++;
    } else {
      const end = text.indexOf(",", i);
      value = text.slice(i, end < 0 ? text.length : end).trim();
      i = end < 0 ? text.length : end;
    }
    if (!out.has(key)) out.set(key, value);
  }
  return out;
}

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

function concat(...parts: (Uint8Array | string)[]): Uint8Array {
  return concatBytes(parts.map((p) => typeof p === "string" ? encoder.encode(p) : p));
}

/** One DIGEST-MD5 login, step by step. */
export class DigestMd5Client {
  readonly #options: DigestMd5Options;
  #step: "start" | "challenge" | "rspauth" | "done" = "start";
  #expected = "";

  /** @param options The credentials. */
  constructor(options: DigestMd5Options) {
    this.#options = options;
  }

  /** Whether the server's proof was checked: the login is complete. */
  get complete(): boolean {
    return this.#step === "done";
  }

  /**
   * The next token to send, given the server's last one (nothing at the
   * start: DIGEST-MD5 has no initial response, the client sends an empty
   * token).
   *
   * @param server The server's token.
   * @returns The token to send, or `undefined` when there is nothing more.
   * @throws {Error} When the challenge is unusable or the server's proof is wrong.
   */
  evaluate(server: Uint8Array): Uint8Array | undefined {
    switch (this.#step) {
      case "start":
        this.#step = "challenge";
        return new Uint8Array(0);
      case "challenge":
        this.#step = "rspauth";
        return encoder.encode(this.#respond(decoder.decode(server)));
      case "rspauth": {
        const rspauth = parseDirectives(decoder.decode(server)).get("rspauth");
        if (rspauth !== this.#expected) {
          throw new Error("DIGEST-MD5: the server's proof (rspauth) does not match");
        }
        this.#step = "done";
        return undefined;
      }
      case "done":
        return undefined;
    }
  }

  #respond(challenge: string): string {
    const d = parseDirectives(challenge);
    const nonce = d.get("nonce");
    if (nonce === undefined) throw new Error("DIGEST-MD5: the challenge has no nonce");
    const algorithm = d.get("algorithm");
    if (algorithm?.toLowerCase() !== "md5-sess") {
      throw new Error(`DIGEST-MD5: unsupported algorithm "${algorithm}"`);
    }
    const qops = (d.get("qop") ?? "auth").split(",").map((q) => q.trim());
    if (!qops.includes("auth")) {
      throw new Error(`DIGEST-MD5: the server offers no qop this client has (${qops.join(", ")})`);
    }
    const { username, password } = this.#options;
    const realm = d.get("realm") ?? "";
    const utf8 = d.get("charset")?.toLowerCase() === "utf-8";
    const cnonce = this.#options.cnonce ?? randomNonce();
    const nc = "00000001";
    const uri = `${this.#options.protocol ?? "zookeeper"}/${
      this.#options.serverName ?? "zk-sasl-md5"
    }`;
    // Without charset=utf-8 the strings are ISO 8859-1 (RFC 2831 §2.1.2.1).
    const text = (s: string) =>
      utf8 ? encoder.encode(s) : Uint8Array.from(s, (c) => c.charCodeAt(0));
    const secret = md5(concat(text(username), ":", text(realm), ":", text(password)));
    const ha1 = toHex(md5(concat(secret, `:${nonce}:${cnonce}`)));
    const digest = (a2: string) =>
      toHex(
        md5(
          encoder.encode(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${toHex(md5(encoder.encode(a2)))}`),
        ),
      );
    this.#expected = digest(`:${uri}`);
    const fields = [
      ...(utf8 ? ["charset=utf-8"] : []),
      `username=${quote(username)}`,
      `realm=${quote(realm)}`,
      `nonce=${quote(nonce)}`,
      `nc=${nc}`,
      `cnonce=${quote(cnonce)}`,
      `digest-uri=${quote(uri)}`,
      "maxbuf=65536",
      `response=${digest(`AUTHENTICATE:${uri}`)}`,
      "qop=auth",
    ];
    return fields.join(",");
  }
}
