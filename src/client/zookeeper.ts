/**
 * The ZooKeeper client: every operation as a method returning a promise, all
 * pipelined on one connection, with one-shot watches. `ZooKeeper` connects
 * and has the operations on nodes; the session's state, credentials and
 * servers, the ensemble's config and persistent watches are in
 * `zookeeper_core.ts`, which it extends. Each method validates its
 * arguments and submits, through `call_gate.ts`, a request built in
 * `read_requests.ts`, `write_requests.ts` or `watch_requests.ts`; watches
 * live in `watch_manager.ts`, the settings in `options.ts`.
 *
 * @module
 */

import { OpCode } from "../protocol/constants.ts";
import type { ACL, Stat } from "../protocol/records_data.ts";
import type { CallOptions } from "../session/call.ts";
import { checkAcl, checkVersion, checkWatcher, checkWireData } from "./arguments.ts";
import type { CallGate } from "./call_gate.ts";
import type { Chroot } from "./chroot.ts";
import { type ClientParts, clientParts } from "./client_parts.ts";
import { connectSettings } from "./connect_settings.ts";
import { createArgs } from "./create_args.ts";
import { buildMultiRequest, multiReadResults, multiResults } from "./multi.ts";
import type { ZooKeeperOptions } from "./options.ts";
import * as reads from "./read_requests.ts";
import { followConfig } from "./reconfig.ts";
import { type Subscribe, waitConnected } from "./state_stream.ts";
import type {
  CreateOptions,
  Data,
  DataResult,
  Op,
  OpResult,
  ReadOp,
  ReadResult,
  VersionOptions,
  WatchOptions,
} from "./types.ts";
import type { WatchManager } from "./watch_manager.ts";
import * as writes from "./write_requests.ts";
import { ZooKeeperCore } from "./zookeeper_core.ts";

export type { ZooKeeperOptions } from "./options.ts";

// Only ZooKeeper.connect makes clients.
const CONNECT: unique symbol = Symbol("ZooKeeper.connect");

/**
 * A ZooKeeper client.
 *
 * @example Create, watch, change
 * ```ts ignore
 * import { ZooKeeper } from "@nd/service-registry";
 * await using zk = await ZooKeeper.connect("127.0.0.1:2181", { sessionTimeout: 10_000 });
 * await zk.create("/app", "hello");
 * const { data } = await zk.getData("/app", { watch: (e) => console.log(e.type, e.path) });
 * await zk.setData("/app", "world");
 * ```
 */
export class ZooKeeper extends ZooKeeperCore {
  readonly #paths: Chroot;
  readonly #watches: WatchManager;
  readonly #gate: CallGate;
  readonly #maxDataSize: number;

  /**
   * Not for use: {@linkcode ZooKeeper.connect} makes clients.
   *
   * @param parts The client's session and what goes with it.
   * @param token Proof that `ZooKeeper.connect` is the caller.
   * @throws {TypeError} Always, when called directly.
   */
  private constructor(parts: ClientParts, token?: typeof CONNECT) {
    // A client is a session, which a constructor cannot wait for.
    if (token !== CONNECT) {
      throw new TypeError(
        "ZooKeeper has no public constructor: use `await ZooKeeper.connect(connectString, options)`",
      );
    }
    super(parts);
    this.#paths = parts.paths;
    this.#watches = parts.watches;
    this.#gate = parts.gate;
    this.#maxDataSize = parts.maxDataSize;
  }

  /**
   * Connects to an ensemble and waits for a session.
   *
   * @param connectString Servers and an optional chroot:
   *   `"host:port,host:port/chroot"`.
   * @param options Session settings.
   * @returns The connected client.
   * @throws {ZooKeeperError} `CONNECTIONLOSS` when no server answers within
   *   `connectTimeout`, `AUTHFAILED` when the credentials are refused.
   * @throws {TypeError} When `clock` is not a clock, before connecting.
   */
  static async connect(
    connectString: string,
    options: ZooKeeperOptions = {},
  ): Promise<ZooKeeper> {
    const settings = await connectSettings(connectString, options);
    const parts = clientParts(settings, options);
    const zk = new ZooKeeper(parts, CONNECT);
    const { session, onError } = parts;
    const subscribe: Subscribe = (listener) => zk.onStateChange(listener);
    const timeout = options.connectTimeout ?? 15_000;
    await waitConnected(session, subscribe, connectString, timeout, options.signal, {
      ready: parts.initialAuth,
      clock: parts.clock,
    });
    if (options.followConfig) {
      followConfig({
        getConfig: (o) => zk.getConfig(o),
        hosts: () => session.hosts,
        update: (hosts) => session.updateHosts(hosts),
        onStateChange: subscribe,
        onError,
        clock: parts.clock,
      });
    }
    return zk;
  }

  /**
   * Creates a node.
   *
   * @param path The node's path; for sequential modes, the prefix of its name.
   * @param data The node's data: a string (sent as UTF-8) or a `Uint8Array`.
   * @param options Mode, ACL and TTL; `signal` and `timeout`.
   * @returns The path created (with the sequence number for sequential modes).
   * @throws {ZooKeeperError} `NODEEXISTS`, `NONODE` (no parent),
   *   `NOCHILDRENFOREPHEMERALS`, `INVALIDACL`, `NOAUTH`, `BADARGUMENTS`,
   *   `OPERATIONTIMEOUT`.
   */
  create(path: string, data?: Data, options?: CreateOptions): Promise<string> {
    return this.#create(path, data, options, false) as Promise<string>;
  }

  /**
   * Creates a node and returns its Stat too (create2).
   *
   * @param path The node's path.
   * @param data The node's data.
   * @param options Mode, ACL and TTL; `signal` and `timeout`.
   * @returns The path created and the new node's Stat.
   */
  createWithStat(
    path: string,
    data?: Data,
    options?: CreateOptions,
  ): Promise<{ path: string; stat: Stat }> {
    return this.#create(path, data, options, true) as Promise<{ path: string; stat: Stat }>;
  }

  #create(
    path: string,
    data: Data | undefined,
    options: CreateOptions | undefined,
    withStat: boolean,
  ): Promise<unknown> {
    return this.#gate.call("create", path, options, (o, subject) => {
      const input = { path, data, mode: o.mode, acl: o.acl, ttl: o.ttl };
      const args = createArgs(subject, input, this.#paths, this.#maxDataSize);
      return writes.createRequest(path, args, this.#paths, withStat);
    });
  }

  /**
   * Deletes a node.
   *
   * @param path The node's path.
   * @param options `version`: the version it must have (-1, the default, for
   *   any); `signal` and `timeout`.
   * @throws {ZooKeeperError} `NONODE`, `BADVERSION`, `NOTEMPTY`, `NOAUTH`.
   */
  delete(path: string, options?: VersionOptions): Promise<void> {
    return this.#gate.call("delete", path, options, (o, subject) => {
      const version = checkVersion(subject, o.version);
      return writes.deleteRequest(path, this.#paths.toServer(path), version);
    });
  }

  /**
   * Reads a node's Stat, or `null` when it does not exist.
   *
   * @param path The node's path.
   * @param options `watch`: fires on the node's creation, deletion or data
   *   change; it is set whether or not the node exists. `signal` and `timeout`.
   * @returns The Stat, or `null`.
   */
  exists(path: string, options?: WatchOptions): Promise<Stat | null> {
    // A missing node is an answer, not a failure: the reply is null, with no
    // error made and caught on the way.
    return this.#gate.call("check", path, options, (o, subject) => {
      const onReply = this.#watches.onExistsReply(path, checkWatcher(subject, o.watch));
      return reads.existsRequest(path, this.#paths.toServer(path), onReply);
    });
  }

  /**
   * Reads a node's data and Stat.
   *
   * @param path The node's path.
   * @param options `watch`: fires on the node's data change or deletion; set
   *   only when the read succeeds. `signal` and `timeout`.
   * @returns The data and Stat.
   * @throws {ZooKeeperError} `NONODE`, `NOAUTH`.
   */
  getData(path: string, options?: WatchOptions): Promise<DataResult> {
    return this.#gate.call("read", path, options, (o, subject) => {
      const onReply = this.#watches.onReply("data", path, checkWatcher(subject, o.watch));
      return reads.getDataRequest(path, this.#paths.toServer(path), onReply);
    });
  }

  /**
   * Writes a node's data.
   *
   * @param path The node's path.
   * @param data The new data: a string (sent as UTF-8) or a `Uint8Array`.
   * @param options `version`: the version it must have (-1, the default, for
   *   any); `signal` and `timeout`.
   * @returns The node's new Stat.
   * @throws {ZooKeeperError} `NONODE`, `BADVERSION`, `NOAUTH`, `BADARGUMENTS`.
   */
  setData(path: string, data: Data, options?: VersionOptions): Promise<Stat> {
    return this.#gate.call("write", path, options, (o, subject) => {
      const serverPath = this.#paths.toServer(path);
      const bytes = checkWireData(subject, data, this.#maxDataSize);
      const version = checkVersion(subject, o.version);
      return writes.setDataRequest(path, serverPath, bytes, version);
    });
  }

  /**
   * Lists a node's children.
   *
   * @param path The node's path.
   * @param options `watch`: fires when a child is created or deleted, or the
   *   node itself is deleted; set only when the read succeeds. `signal` and
   *   `timeout`.
   * @returns The children's names, unsorted.
   * @throws {ZooKeeperError} `NONODE`, `NOAUTH`.
   */
  getChildren(path: string, options?: WatchOptions): Promise<string[]> {
    return this.#gate.call("list children of", path, options, (o, subject) => {
      const onReply = this.#watches.onReply("child", path, checkWatcher(subject, o.watch));
      return reads.getChildrenRequest(path, this.#paths.toServer(path), onReply);
    });
  }

  /**
   * Lists a node's children and returns its Stat too (getChildren2).
   *
   * @param path The node's path.
   * @param options `watch`, as for {@linkcode ZooKeeper.getChildren};
   *   `signal` and `timeout`.
   * @returns The children's names and the node's Stat.
   */
  getChildrenWithStat(
    path: string,
    options?: WatchOptions,
  ): Promise<{ children: string[]; stat: Stat }> {
    return this.#gate.call("list children of", path, options, (o, subject) => {
      const onReply = this.#watches.onReply("child", path, checkWatcher(subject, o.watch));
      return reads.getChildren2Request(path, this.#paths.toServer(path), onReply);
    });
  }

  /**
   * Reads a node's ACL.
   *
   * @param path The node's path.
   * @param options `signal` and `timeout`.
   * @returns The ACL and the node's Stat.
   */
  getACL(path: string, options?: CallOptions): Promise<{ acl: ACL[]; stat: Stat }> {
    return this.#gate.call("read the ACL of", path, options, () => {
      return reads.getACLRequest(path, this.#paths.toServer(path));
    });
  }

  /**
   * Replaces a node's ACL.
   *
   * @param path The node's path.
   * @param acl The new ACL: entries with integer `perms` within 0..31 and a
   *   string `id.scheme` and `id.id`.
   * @param options `version`: the ACL version (`aversion`) it must have (-1,
   *   the default, for any); `signal` and `timeout`.
   * @returns The node's new Stat.
   */
  setACL(path: string, acl: readonly ACL[], options?: VersionOptions): Promise<Stat> {
    return this.#gate.call("set the ACL of", path, options, (o, subject) => {
      const serverPath = this.#paths.toServer(path);
      const entries = checkAcl(subject, acl);
      const version = checkVersion(subject, o.version);
      return writes.setACLRequest(path, serverPath, entries, version);
    });
  }

  /**
   * Waits until the server this client is connected to has caught up with the
   * leader on `path`, so a following read sees every write committed before.
   *
   * @param path The node's path.
   * @param options `signal` and `timeout`.
   */
  async sync(path: string, options?: CallOptions): Promise<void> {
    await this.#gate.call("sync", path, options, () => {
      return writes.syncRequest(path, this.#paths.toServer(path));
    });
  }

  /**
   * Runs operations as one transaction: all succeed or none is applied.
   *
   * @param ops The operations, each checked as its own method checks it.
   * @param options `signal` and `timeout`.
   * @returns Each operation's result, in order.
   * @throws {MultiError} When one fails: `index` names it, `results` gives
   *   every operation's code.
   */
  async multi(ops: readonly Op[], options?: CallOptions): Promise<OpResult[]> {
    const results = await this.#gate.call(
      "commit transaction",
      undefined,
      options,
      (_, subject) => {
        const body = buildMultiRequest(subject, ops, "write", this.#paths, this.#maxDataSize);
        return writes.multiRequest(OpCode.multi, body);
      },
    );
    return multiResults(results, ops, this.#paths);
  }

  /**
   * Runs reads together, at one point in the server's history; each succeeds
   * or fails on its own.
   *
   * @param ops The reads.
   * @param options `signal` and `timeout`.
   * @returns Each read's result, in order.
   */
  async multiRead(ops: readonly ReadOp[], options?: CallOptions): Promise<ReadResult[]> {
    const results = await this.#gate.call("read", undefined, options, (_, subject) => {
      const body = buildMultiRequest(subject, ops, "read", this.#paths, this.#maxDataSize);
      return writes.multiRequest(OpCode.multiRead, body);
    });
    return multiReadResults(results, ops);
  }

  /**
   * Lists the ephemeral nodes of this session.
   *
   * @param prefix Only those whose path starts with this.
   * @param options `signal` and `timeout`.
   * @returns Their paths.
   */
  getEphemerals(prefix = "/", options?: CallOptions): Promise<string[]> {
    return this.#gate.call("list ephemerals under", prefix, options, () => {
      const serverPrefix = this.#paths.toServer(prefix);
      return reads.getEphemeralsRequest(prefix, serverPrefix, (p) => this.#paths.strip(p));
    });
  }

  /**
   * Counts every descendant of a node.
   *
   * @param path The node's path.
   * @param options `signal` and `timeout`.
   * @returns The number of nodes below it.
   */
  getAllChildrenNumber(path: string, options?: CallOptions): Promise<number> {
    return this.#gate.call("count descendants of", path, options, () => {
      return reads.getAllChildrenNumberRequest(path, this.#paths.toServer(path));
    });
  }
}
