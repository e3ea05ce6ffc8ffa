"""kazoo (Debian's python3-kazoo) as the other side of the interop tests
(tests/kazoo_interop_test.ts runs it).

register ZK PATH DATA: creates PATH as an ephemeral node (parents made) with
  DATA, as ndServiceRegistry's EphemeralNode does through kazoo, prints
  "ready", and deletes it when stdin closes.
watch ZK PARENT NODE: prints one JSON line per call of a ChildrenWatch on
  PARENT ({"children": [...]}) and of a DataWatch on NODE ({"data": text or
  null}), until stdin closes.
"""

import json
import sys
import threading

from kazoo.client import KazooClient


def emit(value):
    with lock:
        sys.stdout.write(json.dumps(value) + "\n")
        sys.stdout.flush()


lock = threading.Lock()
mode, servers = sys.argv[1], sys.argv[2]
zk = KazooClient(hosts=servers)
zk.start(timeout=20)
try:
    if mode == "register":
        zk.create(sys.argv[3], sys.argv[4].encode("utf-8"), ephemeral=True, makepath=True)
        emit("ready")
        sys.stdin.read()
        zk.delete(sys.argv[3])
    elif mode == "watch":
        parent, node = sys.argv[3], sys.argv[4]
        zk.ensure_path(parent)

        @zk.ChildrenWatch(parent)
        def children(names):
            emit({"children": sorted(names)})

        @zk.DataWatch(node)
        def data(value, stat):
            emit({"data": None if value is None else value.decode("utf-8")})

        emit("ready")
        sys.stdin.read()
finally:
    zk.stop()
    zk.close()
