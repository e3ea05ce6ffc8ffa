import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.x.discovery.ServiceCache;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;

/**
 * Apache Curator's service discovery, as the other side of the interop tests
 * (tests/curator_interop_test.ts compiles and runs it against Debian's jars).
 *
 * register ZK BASE SERVICE ID PORT: registers an instance with a Map payload
 *   {"zone": "a"}, prints "ready", and unregisters when stdin closes.
 * read ZK BASE SERVICE COUNT: prints, as one JSON line each, what
 *   queryForInstances and then a started ServiceCache return once they hold
 *   COUNT instances, with every field Curator read; then what a Jackson
 *   reader with default settings (unknown fields rejected) makes of each
 *   instance's bytes.
 */
public final class CuratorPeer {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    try (CuratorFramework client = CuratorFrameworkFactory.newClient(args[1], new RetryOneTime(500))) {
      client.start();
      client.blockUntilConnected();
      @SuppressWarnings({"unchecked", "rawtypes"})
      ServiceDiscovery<Map> discovery = ServiceDiscoveryBuilder.builder(Map.class)
          .client(client).basePath(args[2]).build();
      discovery.start();
      if (mode.equals("register")) {
        register(discovery, args[3], args[4], Integer.parseInt(args[5]));
      } else {
        read(discovery, args[3], Integer.parseInt(args[4]));
        strict(client, args[2] + "/" + args[3]);
      }
      discovery.close();
    }
  }

  @SuppressWarnings("rawtypes")
  private static void register(ServiceDiscovery<Map> discovery, String service, String id, int port)
      throws Exception {
    Map<String, Object> payload = new HashMap<>();
    payload.put("zone", "a");
    ServiceInstance<Map> instance = ServiceInstance.<Map>builder()
        .name(service).id(id).address("127.0.0.1").port(port).payload(payload).build();
    discovery.registerService(instance);
    System.out.println("ready");
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    while (in.readLine() != null) {
      // Held until stdin closes.
    }
    discovery.unregisterService(instance);
  }

  @SuppressWarnings("rawtypes")
  private static void read(ServiceDiscovery<Map> discovery, String service, int count)
      throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    Collection<ServiceInstance<Map>> queried = discovery.queryForInstances(service);
    while (queried.size() < count && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      queried = discovery.queryForInstances(service);
    }
    print("query", queried);
    ServiceCache<Map> cache = discovery.serviceCacheBuilder().name(service).build();
    cache.start();
    while (cache.getInstances().size() < count && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    print("cache", cache.getInstances());
    cache.close();
  }

  private static void strict(CuratorFramework client, String path) throws Exception {
    Map<String, Object> results = new LinkedHashMap<>();
    for (String child : client.getChildren().forPath(path)) {
      byte[] bytes = client.getData().forPath(path + "/" + child);
      try {
        ServiceInstance<Map<String, Object>> instance =
            new ObjectMapper().readValue(bytes, new TypeReference<ServiceInstance<Map<String, Object>>>() {});
        results.put(child, "read " + instance.getId());
      } catch (Exception e) {
        results.put(child, e.getMessage().split("\n")[0]);
      }
    }
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("strict", results);
    System.out.println(JSON.writeValueAsString(line));
    System.out.flush();
  }

  @SuppressWarnings("rawtypes")
  private static void print(String what, Collection<ServiceInstance<Map>> instances)
      throws Exception {
    List<Map<String, Object>> list = new ArrayList<>();
    for (ServiceInstance<Map> instance : instances) {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("name", instance.getName());
      fields.put("id", instance.getId());
      fields.put("address", instance.getAddress());
      fields.put("port", instance.getPort());
      fields.put("sslPort", instance.getSslPort());
      fields.put("payload", instance.getPayload());
      fields.put("registrationTimeUTC", instance.getRegistrationTimeUTC());
      fields.put("serviceType", instance.getServiceType().name());
      fields.put("enabled", instance.isEnabled());
      list.add(fields);
    }
    Map<String, Object> line = new LinkedHashMap<>();
    line.put(what, list);
    System.out.println(JSON.writeValueAsString(line));
    System.out.flush();
  }
}
