/**
 * The numbers of the ZooKeeper client protocol, named as the Java client names
 * them.
 *
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/ZooDefs.java
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/KeeperException.java
 * @see https://github.com/apache/zookeeper/blob/master/zookeeper-server/src/main/java/org/apache/zookeeper/Watcher.java
 * @module
 */

/** Request types (`ZooDefs.OpCode`). */
export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  sasl: 102,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const;

/**
 * Special xids (`ClientCnxn.java`): replies carrying them are not matched
 * against the queue of pending requests.
 */
export const Xid = {
  notification: -1,
  ping: -2,
  auth: -4,
  setWatches: -8,
} as const;

/** Error codes (`KeeperException.Code`), by name. */
export const ErrorCode = {
  OK: 0,
  SYSTEMERROR: -1,
  RUNTIMEINCONSISTENCY: -2,
  DATAINCONSISTENCY: -3,
  CONNECTIONLOSS: -4,
  MARSHALLINGERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATIONTIMEOUT: -7,
  BADARGUMENTS: -8,
  UNKNOWNSESSION: -12,
  NEWCONFIGNOQUORUM: -13,
  RECONFIGINPROGRESS: -14,
  APIERROR: -100,
  NONODE: -101,
  NOAUTH: -102,
  BADVERSION: -103,
  NOCHILDRENFOREPHEMERALS: -108,
  NODEEXISTS: -110,
  NOTEMPTY: -111,
  SESSIONEXPIRED: -112,
  INVALIDCALLBACK: -113,
  INVALIDACL: -114,
  AUTHFAILED: -115,
  SESSIONMOVED: -118,
  NOTREADONLY: -119,
  EPHEMERALONLOCALSESSION: -120,
  NOWATCHER: -121,
  REQUESTTIMEOUT: -122,
  RECONFIGDISABLED: -123,
  SESSIONCLOSEDREQUIRESASLAUTH: -124,
  QUOTAEXCEEDED: -125,
  THROTTLEDOP: -127,
} as const;

/** The name of a ZooKeeper error code, such as `"NONODE"`. */
export type ErrorCodeName = keyof typeof ErrorCode;

const errorNames = new Map<number, ErrorCodeName>(
  Object.entries(ErrorCode).map((
    [name, code],
  ) => [code, name as ErrorCodeName]),
);

/**
 * Names a numeric error code.
 *
 * @param code The code as it came on the wire.
 * @returns Its name, or `"SYSTEMERROR"` for a code this client does not know.
 */
export function errorCodeName(code: number): ErrorCodeName {
  return errorNames.get(code) ?? "SYSTEMERROR";
}

const opNames = new Map<number, string>(
  Object.entries(OpCode).map(([name, code]) => [code, name]),
);

/**
 * Names a request type, as metrics label operations.
 *
 * @param code The opcode.
 * @returns Its name in {@linkcode OpCode}, or `"unknown"`.
 */
export function opCodeName(code: number): string {
  return opNames.get(code) ?? "unknown";
}

/** Watch event types (`Watcher.Event.EventType`). */
export const EventType = {
  None: -1,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
  DataWatchRemoved: 5,
  ChildWatchRemoved: 6,
  PersistentWatchRemoved: 7,
} as const;

/** The name of a watch event type, such as `"NodeDataChanged"`. */
export type EventTypeName = keyof typeof EventType;

/** Session states as watch events carry them (`Watcher.Event.KeeperState`). */
export const KeeperState = {
  Unknown: -1,
  Disconnected: 0,
  NoSyncConnected: 1,
  SyncConnected: 3,
  AuthFailed: 4,
  ConnectedReadOnly: 5,
  SaslAuthenticated: 6,
  Expired: -112,
  Closed: 7,
} as const;

/** The name of a session state in a watch event, such as `"SyncConnected"`. */
export type KeeperStateName = keyof typeof KeeperState;

/** Create modes and their flag values (`CreateMode.java`). */
export const CreateMode = {
  persistent: 0,
  ephemeral: 1,
  persistentSequential: 2,
  ephemeralSequential: 3,
  container: 4,
  persistentWithTTL: 5,
  persistentSequentialWithTTL: 6,
} as const;

/** The name of a create mode, such as `"ephemeralSequential"`. */
export type CreateModeName = keyof typeof CreateMode;

/** Modes of `addWatch` (`AddWatchMode.java`). */
export const AddWatchMode = {
  persistent: 0,
  persistentRecursive: 1,
} as const;

/** Watcher types of `removeWatches` and `checkWatches` (`Watcher.WatcherType`). */
export const WatcherType = {
  children: 1,
  data: 2,
  any: 3,
  persistent: 4,
  persistentRecursive: 5,
} as const;

/** ACL permission bits (`ZooDefs.Perms`). */
export const Perms = {
  READ: 1,
  WRITE: 2,
  CREATE: 4,
  DELETE: 8,
  ADMIN: 16,
  ALL: 31,
} as const;

/** The largest znode data the server accepts by default (`jute.maxbuffer`). */
export const DEFAULT_MAX_DATA_SIZE = 0xfffff;

/**
 * The largest frame accepted from the server by default: `jute.maxbuffer`
 * plus room for the headers around the data (the server sends a node of
 * `jute.maxbuffer` bytes with its reply header and Stat).
 */
export const DEFAULT_MAX_FRAME_SIZE = 0xfffff + 1024;

/**
 * The largest request sent by default, its whole frame after the length
 * prefix: the server reads no frame longer than `jute.maxbuffer` and closes
 * the connection instead (`NIOServerCnxn.readLength`, "Len error").
 */
export const DEFAULT_MAX_REQUEST_SIZE = 0xfffff;
