/*
 * Writes tests/testdata/jute_fixtures.json: known-good jute bytes for the
 * hand-written TypeScript codec, produced by ZooKeeper's own Java classes
 * (Debian's zookeeper 3.8.0 jars). Run it through scripts/gen_fixtures.sh.
 *
 * Each case builds a record with chosen field values, serializes it with
 * BinaryOutputArchive.getArchive(ByteArrayOutputStream) and
 * record.serialize(archive, ""), and records
 *   { "record": <jute class>, "name": <case>, "fields": {...}, "hex": <bytes> }.
 * The "fields" object is read back by reflection from the very record object
 * that was serialized, so it cannot drift from the bytes.
 *
 * Value encoding in "fields": int -> number, boolean -> true/false,
 * long -> {"$long": "<decimal>"}, buffer -> {"$buffer": "<hex>"} or null,
 * ustring -> string or null, vector -> array or null, record -> object.
 */

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.MultiOperationRecord;
import org.apache.zookeeper.MultiResponse;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.*;

public class JuteFixtures {

    // ---------------------------------------------------------------- values

    static final long ZXID_ABOVE_2_53 = (1L << 53) + 1; // 9007199254740993
    static final long BIG_ZXID = 0x7a3b_0000_0012_34cdL; // epoch 0x7a3b, counter 0x123 4cd
    static final long SESSION_ID = 0x1000_0a6b_2c3d_0001L;
    static final String UNICODE = "/ünïcødé/日本"; // 2- and 3-byte UTF-8 only
    static final String ASTRAL = "/ünïcødé/日本/🦀"; // U+1F980: see README (CESU-8)

    static final Id WORLD = new Id("world", "anyone");
    static final Id DIGEST = new Id("digest", "user:Gl7AGqHYYXO3Hn0eVNTHlRwgr3o=");
    static final Id IP = new Id("ip", "10.0.0.0/8");

    static byte[] bytes(int... xs) {
        byte[] b = new byte[xs.length];
        for (int i = 0; i < xs.length; i++) {
            b[i] = (byte) xs[i];
        }
        return b;
    }

    /** n bytes counting 0x00..0xff and wrapping: covers every byte value. */
    static byte[] counting(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Stat zeroStat() {
        return new Stat(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    static Stat typicalStat() {
        return new Stat(0x100000002L, 0x100000005L, 1700000000123L, 1700000004567L,
            3, 2, 1, 0, 11, 2, 0x100000004L);
    }

    static Stat ephemeralStat() {
        return new Stat(BIG_ZXID, ZXID_ABOVE_2_53, 1700000000000L, 1700000000000L,
            0, 0, 0, SESSION_ID, 300, 0, BIG_ZXID);
    }

    static Stat extremeStat() {
        return new Stat(Long.MAX_VALUE, Long.MIN_VALUE, -1L, ZXID_ABOVE_2_53,
            Integer.MAX_VALUE, Integer.MIN_VALUE, -1, Long.MIN_VALUE,
            Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE);
    }

    static List<ACL> openAcl() {
        return List.of(new ACL(31, WORLD));
    }

    static List<ACL> severalAcls() {
        return List.of(new ACL(31, DIGEST), new ACL(1, WORLD), new ACL(3, IP),
            new ACL(16, new Id("auth", "")));
    }

    // ------------------------------------------------------------ the cases

    final List<String> lines = new ArrayList<>();
    final Set<String> names = new HashSet<>();

    void add(String record, String name, Map<String, Object> fields, byte[] serialized) {
        if (!names.add(name)) {
            throw new IllegalStateException("duplicate case name " + name);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("{\"record\": ");
        json(sb, record);
        sb.append(", \"name\": ");
        json(sb, name);
        sb.append(", \"fields\": ");
        json(sb, fields);
        sb.append(", \"hex\": ");
        json(sb, hex(serialized));
        sb.append('}');
        lines.add(sb.toString());
    }

    /** A plain jute record: its own class name, fields by reflection. */
    void rec(String name, Record r) throws IOException {
        add(r.getClass().getSimpleName(), name, fieldsOf(r), serialize(r));
    }

    /**
     * ConnectRequest / ConnectResponse as they go on the wire in 3.8: the jute
     * record then one boolean readOnly, written outside the record (by
     * ClientCnxn.Packet.createBB for the request, by
     * ZooKeeperServer.finishSessionInit for the response).
     */
    void connect(String name, Record r, boolean readOnly) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryOutputArchive a = BinaryOutputArchive.getArchive(out);
        r.serialize(a, "");
        a.writeBool(readOnly, "readOnly");
        Map<String, Object> f = fieldsOf(r);
        f.put("readOnly", readOnly);
        add(r.getClass().getSimpleName(), name, f, out.toByteArray());
    }

    void multiRequest(String name, List<Op> ops) throws IOException {
        MultiOperationRecord mor = new MultiOperationRecord(ops);
        List<Object> jsOps = new ArrayList<>();
        ByteArrayOutputStream expect = new ByteArrayOutputStream();
        BinaryOutputArchive ea = BinaryOutputArchive.getArchive(expect);
        for (Op op : mor) {
            Record body = op.toRequestRecord();
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("type", op.getType());
            o.put("body", fieldsOf(body));
            jsOps.add(o);
            new MultiHeader(op.getType(), false, -1).serialize(ea, "");
            body.serialize(ea, "");
        }
        new MultiHeader(-1, true, -1).serialize(ea, "");
        byte[] got = serialize(mor);
        check(name, got, expect.toByteArray());
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("ops", jsOps);
        add("MultiRequest", name, f, got);
    }

    /** The body MultiResponse.serialize writes after each result's header. */
    static Record resultBody(OpResult r) {
        switch (r.getType()) {
            case 1: return new CreateResponse(((OpResult.CreateResult) r).getPath());
            case 15: {
                OpResult.CreateResult c = (OpResult.CreateResult) r;
                return new Create2Response(c.getPath(), c.getStat());
            }
            case 2: case 13: return null;
            case 5: return new SetDataResponse(((OpResult.SetDataResult) r).getStat());
            case -1: return new ErrorResponse(((OpResult.ErrorResult) r).getErr());
            case 4: {
                OpResult.GetDataResult g = (OpResult.GetDataResult) r;
                return new GetDataResponse(g.getData(), g.getStat());
            }
            case 8: return new GetChildrenResponse(((OpResult.GetChildrenResult) r).getChildren());
            default: throw new IllegalArgumentException("result type " + r.getType());
        }
    }

    void multiResponse(String name, List<OpResult> results) throws IOException {
        MultiResponse mr = new MultiResponse();
        List<Object> js = new ArrayList<>();
        ByteArrayOutputStream expect = new ByteArrayOutputStream();
        BinaryOutputArchive ea = BinaryOutputArchive.getArchive(expect);
        for (OpResult r : results) {
            mr.add(r);
            int err = r.getType() == -1 ? ((OpResult.ErrorResult) r).getErr() : 0;
            Record body = resultBody(r);
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("type", r.getType());
            o.put("err", err);
            o.put("body", body == null ? null : fieldsOf(body));
            js.add(o);
            new MultiHeader(r.getType(), false, err).serialize(ea, "");
            if (body != null) {
                body.serialize(ea, "");
            }
        }
        new MultiHeader(-1, true, -1).serialize(ea, "");
        byte[] got = serialize(mr);
        check(name, got, expect.toByteArray());
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("results", js);
        add("MultiResponse", name, f, got);
    }

    static void check(String name, byte[] got, byte[] expect) {
        if (!Arrays.equals(got, expect)) {
            throw new IllegalStateException(name + ": the multi record wrote "
                + hex(got) + " but its headers and bodies make " + hex(expect));
        }
    }

    void generate() throws IOException {
        // --- org.apache.zookeeper.data
        rec("id_world_anyone", WORLD);
        rec("id_digest", DIGEST);
        rec("id_empty_strings", new Id("", ""));
        rec("id_null_strings", new Id(null, null));
        rec("id_unicode", new Id("x509", "CN=" + UNICODE.substring(1)));

        rec("acl_open", new ACL(31, WORLD));
        rec("acl_read_ip", new ACL(1, IP));
        rec("acl_perms_min_int", new ACL(Integer.MIN_VALUE, new Id("auth", "")));
        rec("acl_perms_minus_one", new ACL(-1, DIGEST));

        rec("stat_zero", zeroStat());
        rec("stat_typical", typicalStat());
        rec("stat_ephemeral_big_zxids", ephemeralStat());
        rec("stat_extremes", extremeStat());

        rec("client_info_ip", new ClientInfo("ip", "127.0.0.1"));
        rec("client_info_empty", new ClientInfo("", ""));
        rec("client_info_null_user", new ClientInfo("super", null));
        rec("client_info_unicode", new ClientInfo("sasl", "ünïcødé@日本.example"));

        // --- handshake and headers
        connect("connect_request_fresh", new ConnectRequest(0, 0L, 30000, 0L, new byte[16]), false);
        connect("connect_request_read_only_reconnect",
            new ConnectRequest(0, ZXID_ABOVE_2_53, 40000, SESSION_ID,
                bytes(0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60)),
            true);
        connect("connect_request_extremes",
            new ConnectRequest(Integer.MIN_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE, Long.MIN_VALUE, new byte[0]),
            false);
        connect("connect_request_null_passwd", new ConnectRequest(-1, -1L, -1, -1L, null), true);

        connect("connect_response_new_session",
            new ConnectResponse(0, 30000, SESSION_ID,
                bytes(0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10)),
            false);
        connect("connect_response_read_only", new ConnectResponse(0, 4000, 0L, new byte[16]), true);
        connect("connect_response_expired", new ConnectResponse(0, 0, 0L, new byte[16]), false);
        connect("connect_response_extremes",
            new ConnectResponse(Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, null), true);

        rec("set_watches_several",
            new SetWatches(BIG_ZXID, List.of("/a", "/b/c", UNICODE), List.of("/missing"), List.of("/", "/a")));
        rec("set_watches_empty", new SetWatches(0L, List.of(), List.of(), List.of()));
        rec("set_watches_null_vectors", new SetWatches(-1L, null, null, null));

        rec("set_watches2_several",
            new SetWatches2(ZXID_ABOVE_2_53, List.of("/d1", "/d2"), List.of("/e"), List.of(),
                List.of("/p1", "/p2", "/p3"), List.of(UNICODE)));
        rec("set_watches2_empty", new SetWatches2(0L, List.of(), List.of(), List.of(), List.of(), List.of()));
        rec("set_watches2_some_null",
            new SetWatches2(Long.MAX_VALUE, null, List.of("/x"), null, List.of(), null));

        rec("request_header_get_data", new RequestHeader(1, 4));
        rec("request_header_ping", new RequestHeader(-2, 11));
        rec("request_header_set_watches2", new RequestHeader(-8, 105));
        rec("request_header_auth", new RequestHeader(-4, 100));
        rec("request_header_extremes", new RequestHeader(Integer.MAX_VALUE, Integer.MIN_VALUE));

        rec("multi_header_op", new MultiHeader(1, false, -1));
        rec("multi_header_done", new MultiHeader(-1, true, -1));
        rec("multi_header_error_result", new MultiHeader(-1, false, -101));
        rec("multi_header_ok_result", new MultiHeader(5, false, 0));

        rec("auth_packet_digest", new AuthPacket(0, "digest", utf8("user:secret")));
        rec("auth_packet_empty", new AuthPacket(0, "", new byte[0]));
        rec("auth_packet_null", new AuthPacket(-1, null, null));

        rec("reply_header_ok", new ReplyHeader(1, 0x100000002L, 0));
        rec("reply_header_notification", new ReplyHeader(-1, -1L, 0));
        rec("reply_header_ping", new ReplyHeader(-2, ZXID_ABOVE_2_53, 0));
        rec("reply_header_error", new ReplyHeader(7, BIG_ZXID, -101));
        rec("reply_header_extremes", new ReplyHeader(Integer.MIN_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE));
        rec("reply_header_max_zxid", new ReplyHeader(Integer.MAX_VALUE, Long.MAX_VALUE, -1));

        // --- operations
        rec("get_data_request_watch", new GetDataRequest("/app/config", true));
        rec("get_data_request_unicode", new GetDataRequest(UNICODE, false));
        rec("get_data_request_empty_path", new GetDataRequest("", false));

        rec("set_data_request_300_bytes", new SetDataRequest("/big", counting(300), -1));
        rec("set_data_request_empty_data", new SetDataRequest("/a", new byte[0], 0));
        rec("set_data_request_null_data", new SetDataRequest("/a", null, Integer.MAX_VALUE));
        rec("set_data_request_min_version", new SetDataRequest(UNICODE, utf8("日本"), Integer.MIN_VALUE));

        rec("set_data_response_typical", new SetDataResponse(typicalStat()));
        rec("set_data_response_extremes", new SetDataResponse(extremeStat()));

        rec("create_request_persistent", new CreateRequest("/app", utf8("hello"), openAcl(), 0));
        rec("create_request_ephemeral_sequential_acls",
            new CreateRequest("/app/lock-", new byte[0], severalAcls(), 3));
        rec("create_request_null_data_empty_acl", new CreateRequest("/n", null, List.of(), 1));
        rec("create_request_null_acl", new CreateRequest(UNICODE, counting(300), null, 4));
        rec("create_request_astral_cesu8", new CreateRequest(ASTRAL, utf8("🦀"), openAcl(), 0));

        rec("create_ttl_request_persistent_ttl", new CreateTTLRequest("/ttl", utf8("x"), openAcl(), 5, 60000L));
        rec("create_ttl_request_sequential_ttl_max",
            new CreateTTLRequest(UNICODE, new byte[0], severalAcls(), 6, 0x00FF_FFFF_FFFF_FFFFL));
        rec("create_ttl_request_extremes", new CreateTTLRequest("", null, List.of(), -1, Long.MIN_VALUE));

        rec("delete_request_any_version", new DeleteRequest("/app/node", -1));
        rec("delete_request_version_zero", new DeleteRequest(UNICODE, 0));
        rec("delete_request_extremes", new DeleteRequest("", Integer.MIN_VALUE));

        rec("get_children_request_watch", new GetChildrenRequest("/", true));
        rec("get_children_request_unicode", new GetChildrenRequest(UNICODE, false));

        rec("get_all_children_number_request_root", new GetAllChildrenNumberRequest("/"));
        rec("get_all_children_number_request_unicode", new GetAllChildrenNumberRequest(UNICODE));

        rec("get_children2_request_watch", new GetChildren2Request("/app", true));
        rec("get_children2_request_no_watch", new GetChildren2Request(UNICODE, false));

        rec("check_version_request_typical", new CheckVersionRequest("/app", 3));
        rec("check_version_request_extremes", new CheckVersionRequest(UNICODE, Integer.MAX_VALUE));

        rec("sync_request_root", new SyncRequest("/"));
        rec("sync_request_unicode", new SyncRequest(UNICODE));
        rec("sync_response_root", new SyncResponse("/"));
        rec("sync_response_empty", new SyncResponse(""));

        rec("get_acl_request_typical", new GetACLRequest("/app"));
        rec("get_acl_request_unicode", new GetACLRequest(UNICODE));

        rec("set_acl_request_several", new SetACLRequest("/app", severalAcls(), -1));
        rec("set_acl_request_empty_acl", new SetACLRequest(UNICODE, List.of(), Integer.MAX_VALUE));
        rec("set_acl_request_null_acl", new SetACLRequest("/n", null, 0));
        rec("set_acl_response_typical", new SetACLResponse(typicalStat()));
        rec("set_acl_response_ephemeral", new SetACLResponse(ephemeralStat()));

        rec("add_watch_request_persistent", new AddWatchRequest("/app", 0));
        rec("add_watch_request_recursive", new AddWatchRequest(UNICODE, 1));

        rec("watcher_event_node_created", new WatcherEvent(1, 3, "/app/new"));
        rec("watcher_event_children_unicode", new WatcherEvent(4, 3, UNICODE));
        rec("watcher_event_expired_null_path", new WatcherEvent(-1, -112, null));
        rec("watcher_event_connected_empty_path", new WatcherEvent(-1, 3, ""));
        rec("watcher_event_persistent_removed", new WatcherEvent(7, 3, "/p"));

        rec("error_response_ok", new ErrorResponse(0));
        rec("error_response_no_node", new ErrorResponse(-101));
        rec("error_response_min", new ErrorResponse(Integer.MIN_VALUE));

        rec("create_response_sequential", new CreateResponse("/app/lock-0000000007"));
        rec("create_response_unicode", new CreateResponse(UNICODE));
        rec("create_response_empty", new CreateResponse(""));
        rec("create_response_null", new CreateResponse(null));
        rec("create2_response_typical", new Create2Response("/app", typicalStat()));
        rec("create2_response_extremes", new Create2Response(UNICODE, extremeStat()));

        rec("exists_request_watch", new ExistsRequest("/maybe", true));
        rec("exists_request_no_watch", new ExistsRequest(UNICODE, false));
        rec("exists_response_typical", new ExistsResponse(typicalStat()));
        rec("exists_response_zero", new ExistsResponse(zeroStat()));

        rec("get_data_response_300_bytes", new GetDataResponse(counting(300), ephemeralStat()));
        rec("get_data_response_empty_data", new GetDataResponse(new byte[0], typicalStat()));
        rec("get_data_response_null_data", new GetDataResponse(null, zeroStat()));
        rec("get_data_response_utf8_data", new GetDataResponse(utf8(UNICODE), extremeStat()));

        rec("get_children_response_several", new GetChildrenResponse(List.of("a", "b", "lock-0000000001", "日本")));
        rec("get_children_response_empty", new GetChildrenResponse(List.of()));
        rec("get_children_response_null", new GetChildrenResponse(null));
        rec("get_children_response_astral_cesu8", new GetChildrenResponse(List.of("🦀", "ok")));

        rec("get_all_children_number_response_zero", new GetAllChildrenNumberResponse(0));
        rec("get_all_children_number_response_max", new GetAllChildrenNumberResponse(Integer.MAX_VALUE));
        rec("get_all_children_number_response_minus_one", new GetAllChildrenNumberResponse(-1));

        rec("get_children2_response_several",
            new GetChildren2Response(List.of("x", "y", "", "ünï"), typicalStat()));
        rec("get_children2_response_empty", new GetChildren2Response(List.of(), zeroStat()));

        rec("get_acl_response_open", new GetACLResponse(openAcl(), typicalStat()));
        rec("get_acl_response_several", new GetACLResponse(severalAcls(), extremeStat()));
        rec("get_acl_response_empty", new GetACLResponse(List.of(), zeroStat()));

        rec("check_watches_request_children", new CheckWatchesRequest("/app", 1));
        rec("check_watches_request_any", new CheckWatchesRequest(UNICODE, 3));
        rec("remove_watches_request_data", new RemoveWatchesRequest("/app", 2));
        rec("remove_watches_request_persistent_recursive", new RemoveWatchesRequest(UNICODE, 5));

        rec("get_ephemerals_request_root", new GetEphemeralsRequest("/"));
        rec("get_ephemerals_request_empty", new GetEphemeralsRequest(""));
        rec("get_ephemerals_response_several", new GetEphemeralsResponse(List.of("/e1", "/app/e2", UNICODE)));
        rec("get_ephemerals_response_empty", new GetEphemeralsResponse(List.of()));

        rec("who_am_i_response_several",
            new WhoAmIResponse(List.of(new ClientInfo("ip", "127.0.0.1"), new ClientInfo("digest", "user"),
                new ClientInfo("sasl", "ünïcødé@日本.example"))));
        rec("who_am_i_response_empty", new WhoAmIResponse(List.of()));

        // --- multi, through the Java client's own classes
        multiRequest("multi_request_write_ops", List.of(
            Op.create("/m/a", utf8("data"), openAcl(), CreateMode.PERSISTENT),
            Op.create("/m/seq-", new byte[0], severalAcls(), CreateMode.EPHEMERAL_SEQUENTIAL),
            Op.create("/m/container", null, openAcl(), CreateMode.CONTAINER),
            Op.create("/m/ttl", utf8("t"), openAcl(), CreateMode.PERSISTENT_WITH_TTL, 60000L),
            Op.delete("/m/old", -1),
            Op.setData(UNICODE, counting(300), 7),
            Op.check("/m", Integer.MAX_VALUE)));
        multiRequest("multi_request_read_ops", List.of(
            Op.getData("/m/a"),
            Op.getChildren("/m"),
            Op.getData(UNICODE)));

        multiResponse("multi_response_write_results", List.of(
            new OpResult.CreateResult("/m/a"),
            new OpResult.CreateResult("/m/seq-0000000003", ephemeralStat()),
            new OpResult.DeleteResult(),
            new OpResult.SetDataResult(typicalStat()),
            new OpResult.CheckResult()));
        multiResponse("multi_response_failed", List.of(
            new OpResult.ErrorResult(0),
            new OpResult.ErrorResult(-110),
            new OpResult.ErrorResult(-2)));
        multiResponse("multi_response_read_results", List.of(
            new OpResult.GetDataResult(utf8("data"), typicalStat()),
            new OpResult.GetChildrenResult(List.of("a", "seq-0000000003", "日本")),
            new OpResult.ErrorResult(-101),
            new OpResult.GetDataResult(null, zeroStat()),
            new OpResult.GetChildrenResult(List.of())));
        multiResponse("multi_response_empty", List.of());
    }

    // --------------------------------------------------------- reflection

    static byte[] serialize(Record r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        r.serialize(BinaryOutputArchive.getArchive(out), "");
        return out.toByteArray();
    }

    /**
     * The fields of a jute-generated record, in declaration order (which is
     * the order of zookeeper.jute; the generated Java fields carry the jute
     * names unchanged).
     */
    static Map<String, Object> fieldsOf(Record r) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Field f : r.getClass().getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            f.setAccessible(true);
            try {
                m.put(f.getName(), value(f.get(r)));
            } catch (IllegalAccessException e) {
                throw new RuntimeException(e);
            }
        }
        return m;
    }

    static Object value(Object v) {
        if (v == null || v instanceof Integer || v instanceof Boolean || v instanceof String) {
            return v;
        }
        if (v instanceof Long) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("$long", v.toString());
            return m;
        }
        if (v instanceof byte[]) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("$buffer", hex((byte[]) v));
            return m;
        }
        if (v instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object e : (List<?>) v) {
                out.add(value(e));
            }
            return out;
        }
        if (v instanceof Record) {
            return fieldsOf((Record) v);
        }
        throw new IllegalArgumentException("no JSON form for " + v.getClass());
    }

    // --------------------------------------------------------------- JSON

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return sb.toString();
    }

    static void json(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String) {
            String s = (String) v;
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') {
                    sb.append('\\').append(c);
                } else if (c < 0x20) {
                    sb.append(String.format("\\u%04x", (int) c));
                } else {
                    sb.append(c); // non-ASCII stays literal; the file is UTF-8
                }
            }
            sb.append('"');
        } else if (v instanceof Integer || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                json(sb, e.getKey());
                sb.append(": ");
                json(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof List) {
            sb.append('[');
            boolean first = true;
            for (Object e : (List<?>) v) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                json(sb, e);
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("no JSON for " + v.getClass());
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: JuteFixtures <output.json>");
            System.exit(2);
        }
        JuteFixtures g = new JuteFixtures();
        g.generate();
        String text = "[\n  " + String.join(",\n  ", g.lines) + "\n]\n";
        Path out = Path.of(args[0]);
        Files.write(out, text.getBytes(StandardCharsets.UTF_8));
        System.out.println(g.lines.size());
    }
}
