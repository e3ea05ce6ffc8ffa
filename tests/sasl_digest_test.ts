import { describe, it } from "./helpers/test.ts";
import assert from "node:assert/strict";
import { md5, toHex } from "../src/util/md5.ts";
import { DigestMd5Client, parseDirectives } from "../src/session/digest_md5.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe("MD5 and DIGEST-MD5", () => {
  it("md5() gives RFC 1321's test suite digests", () => {
    const suite: [string, string][] = [
      ["", "d41d8cd98f00b204e9800998ecf8427e"],
      ["a", "0cc175b9c0f1b6a831c399e269772661"],
      ["abc", "900150983cd24fb0d6963f7d28e17f72"],
      ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
      ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
      [
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        "d174ab98d277d9f5a5611c2c9f419d9f",
      ],
      ["1234567890".repeat(8), "57edf4a22be3c955ac49da2e2107b67a"],
    ];
    for (const [text, digest] of suite) {
      assert.equal(toHex(md5(encoder.encode(text))), digest, text);
    }
  });

  it("md5() handles every length around a block boundary", () => {
    // 55, 56 and 64 bytes are where the padding spills into a second block.
    const digests = [55, 56, 63, 64, 65].map((n) => toHex(md5(new Uint8Array(n).fill(0x61))));
    assert.equal(new Set(digests).size, 5);
    assert.equal(digests[0], "ef1772b6dff9a122358552954ad0df65");
    assert.equal(digests[3], "014842d480b571495a4a0363793f7367");
  });

  it("DigestMd5Client answers RFC 2831's example exchange and checks rspauth", () => {
    const client = new DigestMd5Client({
      username: "chris",
      password: "secret",
      protocol: "imap",
      serverName: "elwood.innosoft.com",
      cnonce: "OA6MHXh6VqTrRk",
    });
    assert.deepEqual(client.evaluate(new Uint8Array(0)), new Uint8Array(0));
    const challenge = 'realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",' +
      "algorithm=md5-sess,charset=utf-8";
    const response = parseDirectives(decoder.decode(client.evaluate(encoder.encode(challenge))));
    assert.equal(response.get("response"), "d388dad90d4bbd760a152321f2143af7");
    assert.equal(response.get("digest-uri"), "imap/elwood.innosoft.com");
    assert.equal(response.get("username"), "chris");
    assert.equal(response.get("nc"), "00000001");
    assert.equal(client.complete, false);
    assert.throws(() =>
      client.evaluate(encoder.encode("rspauth=00000000000000000000000000000000"))
    );
    const again = new DigestMd5Client({
      username: "chris",
      password: "secret",
      protocol: "imap",
      serverName: "elwood.innosoft.com",
      cnonce: "OA6MHXh6VqTrRk",
    });
    again.evaluate(new Uint8Array(0));
    again.evaluate(encoder.encode(challenge));
    assert.equal(
      again.evaluate(encoder.encode("rspauth=ea40f60335c427b5527b84dbabcdfffd")),
      undefined,
    );
    assert.equal(again.complete, true);
  });

  it("parseDirectives() reads quoted values with escapes and keeps the first of a repeated key", () => {
    const d = parseDirectives(
      'realm="a\\"b",realm="second", qop="auth,auth-int" ,algorithm=md5-sess',
    );
    assert.equal(d.get("realm"), 'a"b');
    assert.equal(d.get("qop"), "auth,auth-int");
    assert.equal(d.get("algorithm"), "md5-sess");
    assert.throws(() => parseDirectives('nonce="open'), SyntaxError);
  });

  it("DigestMd5Client refuses a challenge without auth qop or md5-sess", () => {
    const client = () => {
      const c = new DigestMd5Client({ username: "u", password: "p" });
      c.evaluate(new Uint8Array(0));
      return c;
    };
    assert.throws(
      () => client().evaluate(encoder.encode('nonce="n",qop="auth-conf",algorithm=md5-sess')),
      /qop/,
    );
    assert.throws(() => client().evaluate(encoder.encode('nonce="n",qop="auth"')), /algorithm/);
  });
});
