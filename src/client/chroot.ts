/**
 * Validation and chroot handling of the paths a user gives and the server
 * returns.
 *
 * @module
 */

import { validatePath } from "../protocol/path.ts";

/** Maps user paths to server paths under a chroot, and back. */
export class Chroot {
  readonly #chroot: string;

  /**
   * @param chroot The chroot (`""` for none), already validated.
   */
  constructor(chroot: string) {
    this.#chroot = chroot;
  }

  /** The chroot, `""` when there is none. */
  get chroot(): string {
    return this.#chroot;
  }

  /**
   * Validates a user path and returns the path to send.
   *
   * @param path The path relative to the chroot.
   * @param sequential Whether a trailing `/` is allowed (sequential creates).
   * @returns The server path.
   * @throws {ZooKeeperError} `BADARGUMENTS` for an invalid path.
   */
  toServer(path: string, sequential = false): string {
    validatePath(path, sequential);
    // A sequential "/" names the chroot's children, as kazoo has it, not
    // the chroot's siblings.
    return sequential ? this.#chroot + path : this.prefix(path);
  }

  /** The path to send for an already validated user path. */
  prefix(path: string): string {
    if (this.#chroot === "") return path;
    return path === "/" ? this.#chroot : this.#chroot + path;
  }

  /**
   * Turns a server path into a user path by removing the chroot.
   *
   * @param path A path as the server sent it.
   * @returns The path relative to the chroot.
   */
  strip(path: string): string {
    const c = this.#chroot;
    if (c === "" || !path.startsWith(c)) return path;
    if (path.length === c.length) return "/";
    return path.charCodeAt(c.length) === 0x2f ? path.slice(c.length) : path;
  }
}
