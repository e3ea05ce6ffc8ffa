// The benchmark's workloads for the official Java client (org.apache.zookeeper.ZooKeeper,
// async API): `java JavaBench <workload> <connect string> <label>` prints one JSON line.

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

public class JavaBench {
  static final int WINDOW = 200;
  static String workload, label;
  static long cpu0, t0;
  // The throughput and CPU of the last run timed, for the first run's figures.
  static double lastOpsPerSec, lastCpuUsPerOp;

  static ZooKeeper connect(String servers) throws Exception {
    CountDownLatch up = new CountDownLatch(1);
    ZooKeeper zk = new ZooKeeper(servers, 30000, e -> {
      if (e.getState() == Watcher.Event.KeeperState.SyncConnected) up.countDown();
    });
    up.await();
    return zk;
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static void start() {
    cpu0 = cpuNanos();
    t0 = System.nanoTime();
  }

  static String done(int ops, String extra) throws Exception {
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpuUs = (cpuNanos() - cpu0) / 1e3;
    long rssKb = 0;
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) rssKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
    lastOpsPerSec = ops / seconds;
    lastCpuUsPerOp = cpuUs / ops;
    return String.format(
        "{\"client\":\"%s\",\"workload\":\"%s\",\"ops\":%d,\"seconds\":%f,\"opsPerSec\":%f,"
            + "\"cpuUsPerOp\":%f,\"rssMb\":%f%s}",
        label, workload, ops, seconds, ops / seconds, cpuUs / ops, rssKb / 1024.0, extra);
  }

  static long rss() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
    return 0;
  }

  static void follow(ZooKeeper c, String root, int total, AtomicInteger events,
      CountDownLatch complete) {
    c.getChildren(root, e -> {
      if (e.getType() == Watcher.Event.EventType.None) return;
      events.incrementAndGet();
      follow(c, root, total, events, complete);
    }, (rc, p, ctx, children) -> {
      if (children != null && children.size() == total) complete.countDown();
    }, null);
  }

  /** Runs n operations with at most WINDOW in flight; each calls its Runnable when done. */
  static void pipelined(int n, java.util.function.BiConsumer<Integer, Runnable> op)
      throws Exception {
    Semaphore window = new Semaphore(WINDOW);
    CountDownLatch all = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      window.acquire();
      op.accept(i, () -> {
        window.release();
        all.countDown();
      });
    }
    all.await();
  }

  public static void main(String[] args) throws Exception {
    workload = args[0];
    String servers = args[1];
    label = args[2];
    String base = "/bench-" + label + "-" + ProcessHandle.current().pid();
    ZooKeeper zk = connect(servers);
    zk.create(base, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    // Run twice, the second run reported, the first run's figures beside (as
    // the other clients do: see bench/README.md); scale runs once.
    String result = runOnce(zk, servers, base + "/1");
    if (!workload.equals("scale")) {
      double firstOps = lastOpsPerSec, firstCpu = lastCpuUsPerOp;
      String second = runOnce(zk, servers, base + "/2");
      result = second.substring(0, second.length() - 1)
          + String.format(",\"firstOpsPerSec\":%f,\"firstCpuUsPerOp\":%f}", firstOps, firstCpu);
    }
    zk.close();
    System.out.println(result);
    System.exit(0);
  }

  static String runOnce(ZooKeeper zk, String servers, String root) throws Exception {
    zk.create(root, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    String result;
    switch (workload) {
      case "watch": {
        ZooKeeper writer = connect(servers);
        int n = 2000, rounds = 5;
        pipelined(n, (i, ok) -> writer.create(root + "/n" + i, "0".getBytes(),
            ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, (rc, p, c, name) -> ok.run(), null));
        start();
        for (int round = 0; round < rounds; round++) {
          CountDownLatch fired = new CountDownLatch(n);
          CountDownLatch armed = new CountDownLatch(n);
          Watcher watch = e -> fired.countDown();
          for (int i = 0; i < n; i++) {
            zk.getData(root + "/n" + i, watch, (rc, p, c, d, s) -> armed.countDown(), null);
          }
          armed.await();
          CountDownLatch set = new CountDownLatch(n);
          byte[] data = String.valueOf(round).getBytes();
          for (int i = 0; i < n; i++) {
            writer.setData(root + "/n" + i, data, -1, (rc, p, c, s) -> set.countDown(), null);
          }
          set.await();
          fired.await();
        }
        result = done(n * rounds, "");
        writer.close();
        break;
      }
      case "reads": {
        zk.create(root + "/r", new byte[128], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        pipelined(2000, (i, ok) -> zk.getData(root + "/r", false, (rc, p, c, d, s) -> ok.run(), null));
        start();
        pipelined(20000, (i, ok) -> zk.getData(root + "/r", false, (rc, p, c, d, s) -> ok.run(), null));
        result = done(20000, "");
        break;
      }
      case "writes": {
        zk.create(root + "/w", new byte[128], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        byte[] data = new byte[128];
        pipelined(1000, (i, ok) -> zk.setData(root + "/w", data, -1, (rc, p, c, s) -> ok.run(), null));
        start();
        pipelined(10000, (i, ok) -> zk.setData(root + "/w", data, -1, (rc, p, c, s) -> ok.run(), null));
        result = done(10000, "");
        break;
      }
      case "createdelete": {
        String[] created = new String[5000];
        start();
        pipelined(5000, (i, ok) -> zk.create(root + "/s-", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
            CreateMode.EPHEMERAL_SEQUENTIAL, (rc, p, c, name) -> {
              created[i] = name;
              ok.run();
            }, null));
        pipelined(5000, (i, ok) -> zk.delete(created[i], -1, (rc, p, c) -> ok.run(), null));
        result = done(10000, "");
        break;
      }
      case "latency": {
        zk.create(root + "/l", new byte[128], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        for (int i = 0; i < 500; i++) zk.getData(root + "/l", false, null);
        double[] times = new double[20000];
        start();
        for (int i = 0; i < 20000; i++) {
          long t = System.nanoTime();
          zk.getData(root + "/l", false, null);
          times[i] = (System.nanoTime() - t) / 1e3;
        }
        Arrays.sort(times);
        result = done(20000, String.format(",\"p50Us\":%f,\"p99Us\":%f", times[10000], times[19800]));
        break;
      }
      case "recursive": {
        ZooKeeper writer = connect(servers);
        int n = 10000;
        pipelined(n, (i, ok) -> writer.create(root + "/c" + i, "0".getBytes(),
            ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, (rc, p, c, name) -> ok.run(), null));
        CountDownLatch fired = new CountDownLatch(n);
        zk.addWatch(root, e -> {
          if (e.getType() == Watcher.Event.EventType.NodeDataChanged) fired.countDown();
        }, AddWatchMode.PERSISTENT_RECURSIVE);
        start();
        byte[] one = "1".getBytes();
        pipelined(n, (i, ok) -> writer.setData(root + "/c" + i, one, -1, (rc, p, c, st) -> ok.run(), null));
        fired.await();
        result = done(n, "");
        writer.close();
        break;
      }
      case "fanout": {
        int total = 200;
        List<ZooKeeper> watchers = new ArrayList<>();
        for (int i = 0; i < 50; i++) watchers.add(connect(servers));
        AtomicInteger events = new AtomicInteger();
        CountDownLatch complete = new CountDownLatch(watchers.size());
        for (ZooKeeper c : watchers) {
          follow(c, root, total, events, complete);
        }
        start();
        for (int i = 0; i < total; i++) {
          zk.create(root + "/f" + i, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        complete.await();
        result = done(events.get(), ",\"watchers\":50,\"creates\":200");
        for (ZooKeeper c : watchers) c.close();
        break;
      }
      case "scale": {
        Runtime rt = Runtime.getRuntime();
        long before = rss();
        start();
        List<ZooKeeper> sessions = new ArrayList<>();
        for (int i = 0; i < 1000; i++) sessions.add(connect(servers));
        double perSessionKb = (rss() - before) / 1000.0;
        result = done(1000, String.format(",\"perSessionKb\":%f", perSessionKb));
        for (ZooKeeper c : sessions) c.close();
        break;
      }
      default:
        throw new IllegalArgumentException("unknown workload " + workload);
    }
    return result;
  }
}
