package io.gopipe.core.gocache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gopipe.core.gocache.store.LocalObjectStore;
import io.gopipe.core.gocache.store.ObjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The program spoken to exactly as cmd/go/internal/cache/prog.go writes (JSON line, blank line,
 * base64 body line), then the store it leaves: outputs stored once, the index, prefetch that grows
 * nothing when nothing changed, and pruning through the index.
 */
class GoCacheProtocolTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    /** One go process talking to the program, a child JVM over real pipes as go starts it. */
    final class Session implements AutoCloseable {
        final Process proc;
        final OutputStream toProg;
        final BufferedReader answers;
        final Path stats;
        long nextId = 1;

        Session(String disk, String... extra) throws IOException {
            stats = work.resolve("stats-" + disk + ".jsonl");
            java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                    "-cp", GoCacheGoTest.childClassPath(), GoCacheTestMain.class.getName(),
                    "--backend", "local:" + work.resolve("store"), "--dir", work.resolve(disk).toString(), "--stats-json", stats.toString()));
            cmd.addAll(java.util.List.of(extra));
            proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            toProg = proc.getOutputStream();
            answers = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8));
        }

        GoCacheFiguresJson figures() throws IOException {
            return new GoCacheFiguresJson(JSON.readTree(Files.readAllLines(stats).get(0)));
        }

        JsonNode read() throws IOException {
            return JSON.readTree(answers.readLine());
        }

        JsonNode put(String action, byte[] body) throws IOException {
            long id = nextId++;
            String output = Ids.hex(Ids.sha256().digest(body));
            Map<String, Object> req = new HashMap<>();
            req.put("ID", id);
            req.put("Command", "put");
            req.put("ActionID", HexFormat.of().parseHex(action));
            req.put("OutputID", HexFormat.of().parseHex(output));
            if (body.length > 0) {
                req.put("BodySize", body.length); // omitempty, and no body line, when empty
            }
            toProg.write(JSON.writeValueAsBytes(req));
            toProg.write("\n\n".getBytes(StandardCharsets.US_ASCII));
            if (body.length > 0) {
                toProg.write('"');
                toProg.write(Base64.getEncoder().encode(body));
                toProg.write("\"\n".getBytes(StandardCharsets.US_ASCII));
            }
            toProg.flush();
            JsonNode r = read();
            assertThat(r.path("ID").asLong()).isEqualTo(id);
            return r;
        }

        JsonNode get(String action) throws IOException {
            long id = nextId++;
            toProg.write(("{\"ID\":" + id + ",\"Command\":\"get\",\"ActionID\":\""
                    + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(action)) + "\"}\n\n").getBytes(StandardCharsets.US_ASCII));
            toProg.flush();
            JsonNode r = read();
            assertThat(r.path("ID").asLong()).isEqualTo(id);
            return r;
        }

        @Override
        public void close() throws Exception {
            toProg.write(("{\"ID\":" + nextId++ + ",\"Command\":\"close\"}\n\n").getBytes(StandardCharsets.US_ASCII));
            toProg.flush();
            read();
            assertThat(proc.waitFor()).isZero();
        }
    }

    static String id(int n) {
        return String.format("%064x", n);
    }

    static byte[] body(int n, int size) {
        byte[] b = new byte[size];
        new java.util.Random(n).nextBytes(b);
        return b;
    }

    /** The figures line a run appended. */
    record GoCacheFiguresJson(JsonNode n) {
        long get(String field) {
            return n.path(field).asLong(-1);
        }
    }

    @Test
    void capabilitiesFirstThenPutsAndGetsWithDiskPaths() throws Exception {
        try (Session s = new Session("d1")) {
            assertThat(s.read().path("KnownCommands").toString()).isEqualTo("[\"get\",\"put\",\"close\"]");
            JsonNode put = s.put(id(1), body(1, 5000));
            assertThat(Files.readAllBytes(Path.of(put.path("DiskPath").asText()))).isEqualTo(body(1, 5000));
            assertThat(s.get(id(2)).path("Miss").asBoolean()).isTrue();
            JsonNode hit = s.get(id(1));
            assertThat(hit.path("Size").asLong()).isEqualTo(5000);
            assertThat(HexFormat.of().formatHex(hit.path("OutputID").binaryValue())).isEqualTo(Ids.hex(Ids.sha256().digest(body(1, 5000))));
            s.put(id(3), new byte[0]); // empty outputs have no body line
            assertThat(s.get(id(3)).path("Size").asLong()).isZero();
        }
        // A fresh local tier gets the outputs from the store.
        try (Session s = new Session("d2")) {
            s.read();
            JsonNode hit = s.get(id(1));
            assertThat(Files.readAllBytes(Path.of(hit.path("DiskPath").asText()))).isEqualTo(body(1, 5000));
        }
    }

    @Test
    void outputsAreStoredOnceAndPruneKeepsWhatARetainedActionNames() throws Exception {
        try (Session s = new Session("d")) {
            s.read();
            s.put(id(1), body(7, 3000));
            s.put(id(2), body(7, 3000)); // another action, same output
            s.put(id(3), body(8, 3000));
        }
        Path store = work.resolve("store/gocache");
        try (var o = Files.list(store.resolve("o"))) {
            assertThat(o.count()).isEqualTo(2);
        }
        // Action 1 is old; action 2 still names the shared output, action 3's output has no one left.
        Instant old = Instant.now().minus(Duration.ofDays(30));
        Files.setLastModifiedTime(store.resolve("a/" + id(1)), FileTime.from(old));
        Files.setLastModifiedTime(store.resolve("a/" + id(3)), FileTime.from(old));
        try (ObjectStore st = new LocalObjectStore(store)) {
            GoCachePruneResult r = new GoCacheHousekeeping(st).prune(0, Duration.ofDays(14), Duration.ZERO);
            assertThat(r.actionsRemoved()).isEqualTo(2);
            assertThat(r.objectsRemoved()).isEqualTo(1);
            assertThat(r.kept().actions()).isEqualTo(1);
            assertThat(r.kept().objects()).isEqualTo(1);
            // A size budget smaller than one object drops the rest.
            GoCachePruneResult all = new GoCacheHousekeeping(st).prune(10, Duration.ZERO, Duration.ZERO);
            assertThat(all.kept().objects()).isZero();
            assertThat(all.kept().actions()).isZero();
        }
        try (Session s = new Session("fresh")) {
            s.read();
            assertThat(s.get(id(2)).path("Miss").asBoolean()).isTrue();
        }
    }

    @Test
    void aKeyBuiltEveryDayKeepsItsOutputsThroughAPruneByAgeHoweverOldTheirRecords() throws Exception {
        try (Session s = new Session("d1", "--prefetch-key", "svc/main")) {
            s.read();
            for (int i = 1; i <= 5; i++) {
                s.put(id(i), body(i, 2000));
            }
        }
        try (Session other = new Session("d0", "--prefetch-key", "gone/main")) {
            other.read();
            other.put(id(9), body(9, 2000));
        }
        // Everything was written a month ago, as for a service nobody changed since.
        Path store = work.resolve("store/gocache");
        Instant old = Instant.now().minus(Duration.ofDays(30));
        for (String key : java.util.List.of("svc_main", "gone_main")) {
            Path m = store.resolve("m/" + key + ".json");
            PrefetchManifest pm = PrefetchManifest.parse(Files.readAllBytes(m));
            Files.write(m, new PrefetchManifest(pm.packs(), java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(30)).encode());
        }
        try (var files = Files.walk(store)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(f, FileTime.from(old));
            }
        }
        // Today's build of svc/main uses the same set: its manifest is marked as used (written again, same set).
        try (Session s = new Session("d2", "--prefetch-key", "svc/main")) {
            s.read();
            for (int i = 1; i <= 5; i++) {
                assertThat(s.get(id(i)).path("Miss").asBoolean()).isFalse();
            }
        }
        Path manifest = store.resolve("m/svc_main.json");
        assertThat(Files.getLastModifiedTime(manifest).toInstant()).isAfter(Instant.now().minus(Duration.ofHours(1)));
        assertThat(PrefetchManifest.parse(Files.readAllBytes(manifest)).used())
                .isEqualTo(java.time.LocalDate.now(java.time.ZoneOffset.UTC));
        // A second build the same day writes nothing.
        Map<String, Long> before = GoCacheGoTest.snapshot(work.resolve("store"));
        try (Session s = new Session("d3", "--prefetch-key", "svc/main")) {
            s.read();
            for (int i = 1; i <= 5; i++) {
                s.get(id(i));
            }
        }
        assertThat(GoCacheGoTest.snapshot(work.resolve("store"))).isEqualTo(before);

        try (ObjectStore st = new LocalObjectStore(store)) {
            GoCachePruneResult r = new GoCacheHousekeeping(st).prune(0, Duration.ofDays(14), Duration.ZERO);
            assertThat(r.manifestsRemoved()).as("gone/main was not built for a month").isEqualTo(1);
            assertThat(r.actionsRemoved()).isEqualTo(1);
            assertThat(r.kept().actions()).as("svc/main's five actions stay").isEqualTo(5);
            assertThat(r.kept().objects()).isEqualTo(5);
        }
        try (Session fresh = new Session("d4")) {
            fresh.read();
            for (int i = 1; i <= 5; i++) {
                assertThat(fresh.get(id(i)).path("Miss").asBoolean()).isFalse();
            }
            assertThat(fresh.get(id(9)).path("Miss").asBoolean()).isTrue();
        }
    }

    @Test
    void storedBridgesAreCountedAndAgeOutWithTheAgeLimit() throws Exception {
        Path root = work.resolve("tools-store");
        try (ObjectStore st = new LocalObjectStore(root)) {
            java.util.List<String> warnings = new java.util.ArrayList<>();
            BridgeShelf shelf = new BridgeShelf(st, false, warnings::add);
            Path binary = Files.write(work.resolve("bridge-bin"), body(3, 4000));
            shelf.publish("old-go1.23-linux-amd64", binary);
            shelf.publish("new-go1.24-linux-amd64", binary);
            assertThat(warnings).isEmpty();
            GoCacheUsage u = new GoCacheHousekeeping(st).usage();
            assertThat(u.tools()).isEqualTo(2);
            assertThat(u.toolBytes()).isGreaterThan(2 * 4000L);
            assertThat(u.totalBytes()).isEqualTo(u.objectBytes() + u.packBytes() + u.toolBytes());

            Files.setLastModifiedTime(root.resolve(BridgeShelf.objectName("old-go1.23-linux-amd64")),
                    FileTime.from(Instant.now().minus(Duration.ofDays(30))));
            // No age limit: both stay, whatever the size budget (a bridge is not build output).
            GoCachePruneResult none = new GoCacheHousekeeping(st).prune(1, Duration.ZERO, Duration.ZERO);
            assertThat(none.toolsRemoved()).isZero();
            GoCachePruneResult r = new GoCacheHousekeeping(st).prune(0, Duration.ofDays(14), Duration.ZERO);
            assertThat(r.toolsRemoved()).isEqualTo(1);
            assertThat(r.kept().tools()).isEqualTo(1);
            assertThat(st.exists(BridgeShelf.objectName("new-go1.24-linux-amd64"))).isTrue();
            assertThat(st.exists(BridgeShelf.objectName("old-go1.23-linux-amd64"))).isFalse();
        }
    }

    @Test
    void prefetchBringsTheLastSetAndAnUnchangedRunGrowsNothing() throws Exception {
        try (Session s = new Session("d1", "--prefetch-key", "svc/main")) {
            s.read();
            for (int i = 1; i <= 20; i++) {
                s.put(id(i), body(i, 20_000));
            }
        }
        Map<String, Long> before = GoCacheGoTest.snapshot(work.resolve("store"));
        assertThat(before.keySet()).anyMatch(k -> k.startsWith("gocache/p/")).contains("gocache/m/svc_main.json");
        Session s = new Session("d2", "--prefetch-key", "svc/main");
        s.read();
        for (int i = 1; i <= 20; i++) {
            assertThat(s.get(id(i)).path("Miss").asBoolean()).isFalse();
        }
        s.close();
        GoCacheFiguresJson f = s.figures();
        assertThat(f.get("prefetchHits")).isEqualTo(20);
        assertThat(f.get("remoteHits")).isZero();
        assertThat(f.get("bytesUp")).isZero();
        assertThat(GoCacheGoTest.snapshot(work.resolve("store"))).isEqualTo(before);
        // Another key with the same set shares every pack: nothing new but its manifest.
        Map<String, Long> beforeOther = GoCacheGoTest.snapshot(work.resolve("store"));
        try (Session o = new Session("d4", "--prefetch-key", "other/main")) {
            o.read();
            for (int i = 1; i <= 20; i++) {
                o.get(id(i));
            }
        }
        Map<String, Long> afterOther = GoCacheGoTest.snapshot(work.resolve("store"));
        afterOther.keySet().removeAll(beforeOther.keySet());
        assertThat(afterOther.keySet()).containsExactly("gocache/m/other_main.json");
        before = GoCacheGoTest.snapshot(work.resolve("store"));
        // One output changed: the manifest lists exactly the new set; the packs of the last run are
        // kept (the one that held the replaced output still holds it, unlisted), and the one new
        // pack holds the added output.
        java.util.Set<String> packsBefore = before.keySet().stream().filter(k -> k.startsWith("gocache/p/")).collect(java.util.stream.Collectors.toSet());
        try (Session c = new Session("d3", "--prefetch-key", "svc/main")) {
            c.read();
            for (int i = 1; i <= 19; i++) {
                c.get(id(i));
            }
            c.put(id(21), body(21, 20_000));
        }
        PrefetchManifest m = PrefetchManifest.parse(Files.readAllBytes(work.resolve("store/gocache/m/svc_main.json")));
        java.util.List<String> listed = new java.util.ArrayList<>();
        m.packs().forEach(pk -> pk.entries().forEach(e -> listed.add(e.actionId())));
        java.util.List<String> expected = new java.util.ArrayList<>();
        for (int i = 1; i <= 19; i++) {
            expected.add(id(i));
        }
        expected.add(id(21));
        assertThat(listed).containsExactlyInAnyOrderElementsOf(expected);
        java.util.Set<String> packsAfter = GoCacheGoTest.snapshot(work.resolve("store")).keySet().stream()
                .filter(k -> k.startsWith("gocache/p/")).collect(java.util.stream.Collectors.toSet());
        packsAfter.removeAll(packsBefore);
        assertThat(packsAfter).hasSize(1);
        PrefetchManifest.Pack added = m.packs().stream().filter(pk -> packsAfter.contains("gocache/" + pk.name())).findFirst().orElseThrow();
        assertThat(added.entries()).extracting(Packs.Entry::actionId).containsExactly(id(21));
        // The next run of the key prefetches exactly the new set: the replaced output, still inside a
        // kept pack, is skipped, never written to the fresh tier; nothing changed, nothing is written.
        Map<String, Long> beforeNext = GoCacheGoTest.snapshot(work.resolve("store"));
        Session n = new Session("d5", "--prefetch-key", "svc/main");
        n.read();
        for (int i : new int[]{1, 2, 3, 19, 21}) {
            assertThat(n.get(id(i)).path("Miss").asBoolean()).isFalse();
        }
        for (int i = 4; i <= 18; i++) {
            n.get(id(i));
        }
        n.close();
        assertThat(n.figures().get("prefetchHits")).isEqualTo(20);
        assertThat(n.figures().get("bytesUp")).isZero();
        assertThat(GoCacheGoTest.snapshot(work.resolve("store"))).isEqualTo(beforeNext);
        DiskTier fresh = new DiskTier(work.resolve("d5"));
        assertThat(fresh.has(Ids.hex(Ids.sha256().digest(body(21, 20_000))), 20_000)).isTrue();
        assertThat(fresh.has(Ids.hex(Ids.sha256().digest(body(20, 20_000))), 20_000)).as("unlisted entry of a kept pack").isFalse();
    }
}
