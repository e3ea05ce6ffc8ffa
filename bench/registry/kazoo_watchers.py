"""W watchers of one service, each a KazooClient of its own (its own session)
with a TreeCache on the service, in one Python process, driven by run.ts
through stdin and stdout: the lines of protocol.ts.

/usr/bin/python3 kazoo_watchers.py <servers> <path> <W> <N>
"""

import gc
import json
import sys
import threading
import time

from kazoo.client import KazooClient, KazooState
from kazoo.recipe.cache import TreeCache, TreeEvent
from kazoo.retry import KazooRetry

servers, path, w, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
out_lock = threading.Lock()
expectations = {}


def send(line):
    text = json.dumps(line)
    with out_lock:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def now():
    return time.time() * 1000.0


def cpu_us():
    return time.process_time() * 1e6


def rss():
    gc.collect()
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


class Watcher:
    def __init__(self, index):
        self.index = index
        self.seen = set()
        self.lock = threading.Lock()
        self.initialized = threading.Event()
        # Reconnect at once, as the other clients do: the resync figures are
        # about the cache, not about a backoff policy.
        self.client = KazooClient(
            hosts=servers,
            timeout=60.0,
            connection_retry=KazooRetry(max_tries=-1, delay=0.1, backoff=1, max_jitter=0.1),
        )
        self.client.add_listener(self.on_state)
        self.client.start(timeout=30)
        self.cache = TreeCache(self.client, path)
        self.cache.listen(self.on_event)
        self.cache.start()

    def on_state(self, state):
        name = "connected" if state == KazooState.CONNECTED else "disconnected"
        send({"type": "state", "w": self.index, "state": name, "t": now()})

    def on_event(self, event):
        if event.event_type == TreeEvent.INITIALIZED:
            self.initialized.set()
        else:
            self.check()

    def satisfies(self, want):
        for name, rev in want.items():
            node = self.cache.get_data(path + "/" + name)
            if rev is None:
                if node is not None:
                    return False
            elif node is None or node.data is None or (
                ('"rev":"%s"' % rev).encode() not in node.data
            ):
                return False
        return True

    def check(self):
        with self.lock:
            for key, want in list(expectations.items()):
                if key in self.seen or not self.satisfies(want):
                    continue
                self.seen.add(key)
                send({"type": "seen", "id": key, "w": self.index, "t": now(),
                      "cpuUs": cpu_us()})


before = rss()
watchers = [Watcher(i) for i in range(w)]
for watcher in watchers:
    if not watcher.initialized.wait(300):
        raise RuntimeError("not initialized")
    size = len(watcher.cache.get_children(path) or ())
    if size != n:
        raise RuntimeError("a watcher started with %d of %d" % (size, n))
send({"type": "ready", "t": now(), "memoryBytes": rss() - before,
      "memoryMethod": "RSS after gc.collect()"})

for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    command = json.loads(line)
    if command == "quit":
        break
    expectations[command["id"]] = command["want"]
    send({"type": "ack", "id": command["id"], "cpuUs": cpu_us()})
    for watcher in watchers:
        watcher.check()

for watcher in watchers:
    watcher.cache.close()
    watcher.client.stop()
    watcher.client.close()
