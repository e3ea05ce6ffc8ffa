// W watchers of one service, each a CuratorFramework of its own (its own
// session) with a CuratorCache (or a TreeCache) on the service, in one JVM,
// driven by run.ts through stdin and stdout: the lines of protocol.ts.
//
// java -cp ... CuratorWatchers <servers> <path> <W> <N> <cache|tree>

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.cache.TreeCache;
import org.apache.curator.framework.recipes.cache.TreeCacheEvent;
import org.apache.curator.retry.RetryForever;

public class CuratorWatchers {
  static final Map<String, Map<String, String>> expectations = new ConcurrentHashMap<>();

  static synchronized void send(String json) {
    System.out.println(json);
    System.out.flush();
  }

  static double now() {
    Instant t = Instant.now();
    return t.getEpochSecond() * 1000.0 + t.getNano() / 1e6;
  }

  static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /**
   * CPU time the JVM's live threads have used, user and system, in
   * microseconds: the sum over threads is precise to the nanosecond, where
   * the process's own figure moves in steps of 10 ms.
   */
  static long cpuUs() {
    long ns = 0;
    for (long id : THREADS.getAllThreadIds()) ns += Math.max(0, THREADS.getThreadCpuTime(id));
    return ns / 1000;
  }

  static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return r.totalMemory() - r.freeMemory();
  }

  /** One watcher: its client and a way to read one child's data from its cache. */
  static final class Watcher {
    final int index;
    final String path;
    final Set<String> seen = new HashSet<>();
    CuratorFramework client;
    CuratorCache curatorCache;
    TreeCache treeCache;

    Watcher(int index, String path) {
      this.index = index;
      this.path = path;
    }

    Optional<ChildData> child(String name) {
      String p = path + "/" + name;
      if (curatorCache != null) return curatorCache.get(p);
      return Optional.ofNullable(treeCache.getCurrentData(p));
    }

    int size() {
      if (curatorCache != null) return curatorCache.size() - 1;
      Map<String, ChildData> children = treeCache.getCurrentChildren(path);
      return children == null ? 0 : children.size();
    }

    synchronized void check() {
      for (Map.Entry<String, Map<String, String>> e : expectations.entrySet()) {
        if (seen.contains(e.getKey()) || !satisfies(e.getValue())) continue;
        seen.add(e.getKey());
        send("{\"type\":\"seen\",\"id\":\"" + e.getKey() + "\",\"w\":" + index + ",\"t\":" + now()
            + ",\"cpuUs\":" + cpuUs() + "}");
      }
    }

    boolean satisfies(Map<String, String> want) {
      for (Map.Entry<String, String> e : want.entrySet()) {
        Optional<ChildData> data = child(e.getKey());
        if (e.getValue() == null) {
          if (data.isPresent()) return false;
        } else {
          if (data.isEmpty() || data.get().getData() == null) return false;
          String text = new String(data.get().getData(), StandardCharsets.UTF_8);
          if (!text.contains("\"rev\":\"" + e.getValue() + "\"")) return false;
        }
      }
      return true;
    }
  }

  static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]*)\"");
  static final Pattern ENTRY = Pattern.compile("\"([^\"]*)\"\\s*:\\s*(null|\"([^\"]*)\")");

  /** Parses the driver's expectation line (flat JSON written by run.ts). */
  static Map<String, String> wantOf(String line) {
    Map<String, String> want = new LinkedHashMap<>();
    int at = line.indexOf("\"want\"");
    String body = line.substring(line.indexOf('{', at) + 1, line.indexOf('}', at));
    Matcher m = ENTRY.matcher(body);
    while (m.find()) want.put(m.group(1), m.group(2).equals("null") ? null : m.group(3));
    return want;
  }

  public static void main(String[] args) throws Exception {
    String servers = args[0];
    String path = args[1];
    int w = Integer.parseInt(args[2]);
    int n = Integer.parseInt(args[3]);
    boolean tree = args.length > 4 && args[4].equals("tree");
    long heapBefore = usedHeap();
    List<Watcher> watchers = new ArrayList<>();
    CountDownLatch initialized = new CountDownLatch(w);
    for (int i = 0; i < w; i++) {
      Watcher watcher = new Watcher(i, path);
      watchers.add(watcher);
      CuratorFramework client = CuratorFrameworkFactory.builder()
          .connectString(servers)
          .sessionTimeoutMs(60_000)
          .connectionTimeoutMs(15_000)
          .retryPolicy(new RetryForever(100))
          .build();
      watcher.client = client;
      final int index = i;
      client.getConnectionStateListenable().addListener((c, state) -> send(
          "{\"type\":\"state\",\"w\":" + index + ",\"state\":\""
              + (state.isConnected() ? "connected" : "disconnected") + "\",\"t\":" + now() + "}"));
      client.start();
      if (tree) {
        TreeCache cache = TreeCache.newBuilder(client, path).setCacheData(true).build();
        watcher.treeCache = cache;
        cache.getListenable().addListener((c, event) -> {
          if (event.getType() == TreeCacheEvent.Type.INITIALIZED) initialized.countDown();
          else watcher.check();
        });
        cache.start();
      } else {
        CuratorCache cache = CuratorCache.build(client, path);
        watcher.curatorCache = cache;
        cache.listenable().addListener(CuratorCacheListener.builder()
            .forAll((type, before, after) -> watcher.check())
            .forInitialized(initialized::countDown)
            .build());
        cache.start();
      }
    }
    if (!initialized.await(300, TimeUnit.SECONDS)) throw new IllegalStateException("not initialized");
    // CuratorCache may say it is initialized before it holds every child (seen
    // with 100,000): the figures start once each watcher has them all.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (Watcher watcher : watchers) {
      while (watcher.size() < n && System.nanoTime() < deadline) Thread.sleep(50);
    }
    for (Watcher watcher : watchers) {
      if (watcher.size() != n) {
        throw new IllegalStateException("a watcher started with " + watcher.size() + " of " + n);
      }
    }
    long heapAfter = usedHeap();
    send("{\"type\":\"ready\",\"t\":" + now() + ",\"memoryBytes\":" + (heapAfter - heapBefore)
        + ",\"memoryMethod\":\"JVM used heap after System.gc()\"}");

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      line = line.trim();
      if (line.isEmpty()) continue;
      if (line.equals("\"quit\"")) break;
      Matcher id = ID.matcher(line);
      if (!id.find()) continue;
      expectations.put(id.group(1), wantOf(line));
      send("{\"type\":\"ack\",\"id\":\"" + id.group(1) + "\",\"cpuUs\":" + cpuUs() + "}");
      for (Watcher watcher : watchers) watcher.check();
    }
    for (Watcher watcher : watchers) {
      if (watcher.curatorCache != null) watcher.curatorCache.close();
      if (watcher.treeCache != null) watcher.treeCache.close();
      watcher.client.close();
    }
    System.exit(0);
  }
}
