/**
 * Ready-made ACLs and the digest scheme's identity format.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/server/auth/DigestAuthenticationProvider.java
 * @module
 */

import { Perms } from "../protocol/constants.ts";
import type { ACL } from "../protocol/records_data.ts";

/** Everyone may do everything (`ZooDefs.Ids.OPEN_ACL_UNSAFE`). */
export const OPEN_ACL_UNSAFE: readonly ACL[] = Object.freeze([
  { perms: Perms.ALL, id: { scheme: "world", id: "anyone" } },
]);

/** Everyone may read (`ZooDefs.Ids.READ_ACL_UNSAFE`). */
export const READ_ACL_UNSAFE: readonly ACL[] = Object.freeze([
  { perms: Perms.READ, id: { scheme: "world", id: "anyone" } },
]);

/**
 * Every identity the creating session authenticated with may do everything
 * (`ZooDefs.Ids.CREATOR_ALL_ACL`); the session needs credentials (`addAuth`).
 */
export const CREATOR_ALL_ACL: readonly ACL[] = Object.freeze([
  { perms: Perms.ALL, id: { scheme: "auth", id: "" } },
]);

function base64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/**
 * The id a digest ACL names for a user: `user:base64(sha1("user:password"))`.
 *
 * @param user The user name.
 * @param password The password.
 * @returns The id, such as `"alice:..."`.
 *
 * @example A node only alice may change
 * ```ts
 * import { digestId } from "./acl.ts";
 * const id = await digestId("alice", "secret");
 * const acl = [{ perms: 31, id: { scheme: "digest", id } }];
 * ```
 */
export async function digestId(
  user: string,
  password: string,
): Promise<string> {
  const hash = await crypto.subtle.digest(
    "SHA-1",
    new TextEncoder().encode(`${user}:${password}`),
  );
  return `${user}:${base64(new Uint8Array(hash))}`;
}

/**
 * A SASL ACL entry: the user as the server's SASL login names it (for
 * DIGEST-MD5, the user name of the JAAS file).
 *
 * @param user The authenticated user.
 * @param perms Bits of {@linkcode Perms}.
 * @returns The ACL entry.
 *
 * @example A node only bob may use
 * ```ts
 * import { saslACL } from "./acl.ts";
 * const acl = [saslACL("bob")];
 * ```
 */
export function saslACL(user: string, perms: number = Perms.ALL): ACL {
  return { perms, id: { scheme: "sasl", id: user } };
}

/**
 * A digest ACL entry for a user.
 *
 * @param user The user name.
 * @param password The password.
 * @param perms Bits of {@linkcode Perms}.
 * @returns The ACL entry.
 */
export async function digestACL(
  user: string,
  password: string,
  perms: number = Perms.ALL,
): Promise<ACL> {
  return {
    perms,
    id: { scheme: "digest", id: await digestId(user, password) },
  };
}
