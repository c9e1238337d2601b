package io.gopipe.core.gocache;

import com.github.luben.zstd.Zstd;
import io.gopipe.core.cache.backend.S3Options;
import io.gopipe.core.gocache.store.ObjectStore;
import io.gopipe.core.gocache.store.ObjectStores;
import io.gopipe.core.gocache.store.StoredObject;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GOCACHEPROG} with the real Go 1.24 toolchain on the in-repo module
 * {@code test-repos/gocache-mod}: binaries identical to a plain GOCACHE build, nothing compiled
 * from a warm store, concurrent builds, broken stores and objects, read-only runs, a killed program.
 */
public class GoCacheGoTest {

    public static final Path GO = Path.of(System.getenv().getOrDefault("GOPIPE_GO124", "/usr/lib/go-1.24/bin/go"));

    @TempDir
    static Path shared;
    static Path module;
    static Path plain;
    static Path warmStore;

    @TempDir
    Path work;

    /** One plain build and one build through the program fill the references every test compares with. */
    @BeforeAll
    static void warm() throws Exception {
        assertThat(GO).as("Go 1.24 toolchain (GOCACHEPROG needs >= 1.24)").exists();
        module = shared.resolve("mod");
        copyTree(Path.of("..", "test-repos", "gocache-mod").toAbsolutePath().normalize(), module);
        plain = shared.resolve("plain");
        Map<String, String> env = Map.of("GOCACHE", shared.resolve("plain-cache").toString());
        for (String[] build : builds()) {
            go(env, build[0], "-o", plain.resolve(build[1]).toString(), build[2]).assertOk();
        }
        warmStore = shared.resolve("store");
        Path disk = shared.resolve("warm-disk");
        for (String[] build : builds()) {
            Run r = go(prog(local(warmStore), disk, "--prefetch-key", build[1]), build[0], "-o",
                    shared.resolve("warm-" + build[1]).toString(), build[2]);
            r.assertOk();
            assertThat(r.warnings()).isEmpty();
        }
    }

    static List<String[]> builds() {
        return List.of(new String[]{"build", "hello", "./svc/hello"}, new String[]{"build", "adder", "./svc/adder"},
                new String[]{"test", "strs.test", "./lib/strs"});
    }

    @Test
    void buildsThroughTheProgramAreIdenticalAndAWarmStoreCompilesNothing() throws Exception {
        for (String[] build : builds()) {
            assertThat(Files.readAllBytes(shared.resolve("warm-" + build[1])))
                    .as(build[1] + " built through gopipe gocache equals the plain GOCACHE build")
                    .isEqualTo(Files.readAllBytes(plain.resolve(build[1])));
        }
        // A fresh agent (empty local tier and GOCACHE) against the warm store: every action is a hit.
        Path store = copyOf(warmStore);
        Path stats = work.resolve("stats.jsonl");
        for (String[] build : builds()) {
            Path out = work.resolve(build[1]);
            Run r = go(prog(local(store), work.resolve("disk"), "--prefetch-key", build[1], "--stats-json", stats.toString()),
                    build[0], "-x", "-o", out.toString(), build[2]);
            r.assertOk();
            assertThat(r.compiles()).as("compile steps of " + build[1] + " from a warm store").isEmpty();
            assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(plain.resolve(build[1])));
        }
        List<String> figures = Files.readAllLines(stats);
        assertThat(figures).hasSize(3);
        // Everything came in the prefetch packs; go's one miss per build is the link step, which it never caches.
        assertThat(figures.get(0)).contains("\"remoteHits\":0,").doesNotContain("\"prefetchHits\":0,");
        // And go test itself runs through the program.
        go(prog(local(store), work.resolve("disk"))).args("test", "./...").run().assertOk();
    }

    @Test
    void eightConcurrentBuildsShareOneStore() throws Exception {
        Path store = work.resolve("store8");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Run>> runs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String[] build = builds().get(i % 2);
                Path out = work.resolve("out" + i);
                Path disk = work.resolve("disk" + (i % 4)); // pairs of processes also share a local tier
                runs.add(pool.submit(() -> go(prog(local(store), disk), build[0], "-o", out.toString(), build[2])));
            }
            for (int i = 0; i < 8; i++) {
                runs.get(i).get(10, TimeUnit.MINUTES).assertOk();
                assertThat(Files.readAllBytes(work.resolve("out" + i))).isEqualTo(Files.readAllBytes(plain.resolve(builds().get(i % 2)[1])));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEveryObjectIntact(store);
        Run fresh = go(prog(local(store), work.resolve("fresh")), "build", "-x", "-o", work.resolve("again").toString(), "./svc/adder");
        fresh.assertOk();
        assertThat(fresh.compiles()).isEmpty();
    }

    @Test
    void aCorruptObjectIsOneMissWithOneWarning() throws Exception {
        Path store = copyOf(warmStore);
        // Damage the biggest object the hello build uses (the runtime package).
        Path victim;
        try (Stream<Path> s = Files.list(store.resolve("gocache/o"))) {
            victim = s.max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length())).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(victim);
        for (int i = bytes.length / 2; i < bytes.length / 2 + 64; i++) {
            bytes[i] ^= 0x5a;
        }
        Files.write(victim, bytes);
        Path out = work.resolve("hello");
        Run r = go(prog(local(store), work.resolve("disk")), "build", "-x", "-o", out.toString(), "./svc/hello");
        r.assertOk();
        assertThat(r.warnings()).hasSize(1);
        assertThat(r.warnings().get(0)).contains("corrupt");
        assertThat(r.compiles()).isNotEmpty();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(plain.resolve("hello")));
    }

    @Test
    void aReadOnlyRunWritesNothingToTheStore() throws Exception {
        Path store = copyOf(warmStore);
        Map<String, Long> before = snapshot(store);
        Path mod = work.resolve("mod");
        copyTree(module, mod);
        Files.writeString(mod.resolve("lib/strs/extra.go"), "package strs\n\n// Extra makes a new action.\nfunc Extra() int { return 7 }\n");
        Path stats = work.resolve("stats.jsonl");
        Run r = go(prog(local(store), work.resolve("disk"), "--read-only", "--prefetch-key", "hello", "--stats-json", stats.toString()))
                .in(mod).args("build", "-o", work.resolve("hello").toString(), "./svc/hello").run();
        r.assertOk();
        assertThat(Files.readString(stats)).contains("\"uploads\":0,").doesNotContain("\"puts\":0,");
        assertThat(snapshot(store)).isEqualTo(before);
        // An empty store stays empty: not even its directory is created.
        Path empty = work.resolve("empty");
        go(prog(local(empty), work.resolve("disk"), "--read-only")).in(mod).args("build", "-o", work.resolve("h2").toString(), "./svc/hello").run().assertOk();
        assertThat(empty).doesNotExist();
    }

    @Test
    void killingTheProgramMidPutLeavesNoVisiblePartialObject() throws Exception {
        Path store = copyOf(warmStore);
        Map<String, Long> before = snapshot(store);
        Path mod = work.resolve("mod");
        copyTree(module, mod);
        Files.writeString(mod.resolve("lib/strs/extra.go"), "package strs\n\n// Extra makes a new action.\nfunc Extra() int { return 8 }\n");
        Process go = go(prog(local(store), work.resolve("disk"), "--hang-put-after", "100")).in(mod)
                .args("build", "-o", work.resolve("hello").toString(), "./svc/hello").start();
        long pid = -1;
        try (BufferedReader err = new BufferedReader(new InputStreamReader(go.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                if (line.startsWith("HANGING ")) {
                    pid = Long.parseLong(line.substring(8).trim());
                    break;
                }
            }
            assertThat(pid).as("the program reached a put").isPositive();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            go.waitFor(2, TimeUnit.MINUTES);
        } finally {
            go.destroyForcibly();
        }
        // The partial upload exists, but only as staging, never under an object name.
        try (Stream<Path> tmp = Files.list(store.resolve("gocache/tmp"))) {
            assertThat(tmp.map(p -> p.toFile().length()).collect(Collectors.toList())).contains(100L);
        }
        Map<String, Long> after = snapshot(store);
        after.keySet().removeIf(k -> k.startsWith("gocache/tmp/"));
        Map<String, Long> grown = new HashMap<>(after);
        grown.keySet().removeAll(before.keySet());
        assertThat(grown).as("visible objects added by the killed run").isEmpty();
        assertEveryObjectIntact(store);
        try (ObjectStore s = ObjectStores.open(local(store), null, Duration.ofSeconds(5))) {
            assertThat(s.sweepStaging(Duration.ZERO)).isEqualTo(1);
        }
        // The next run is unharmed.
        go(prog(local(store), work.resolve("disk2"))).in(mod).args("build", "-o", work.resolve("h2").toString(), "./svc/hello").run().assertOk();
    }

    @Test
    void aRefusingS3EndpointIsOneWarningAndTheBuildSucceeds() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path out = work.resolve("hello");
        Run r = go(prog("s3://bucket/p", work.resolve("disk"), "--s3", "http://127.0.0.1:" + port, "k", "s", "--prefetch-key", "hello"),
                "build", "-o", out.toString(), "./svc/hello");
        r.assertOk();
        assertThat(r.warnings()).hasSize(1);
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(plain.resolve("hello")));
    }

    @Test
    void anS3StoreKilledMidBuildIsOneWarningAndTheBuildSucceeds() throws Exception {
        S3Proxy proxy = S3Proxy.builder().blobStore(new TransientNio2BlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "k", "secret").build();
        proxy.start();
        while (!proxy.getState().equals("STARTED")) {
            Thread.sleep(10);
        }
        String endpoint = "http://127.0.0.1:" + proxy.getPort();
        S3Options opts = new S3Options(URI.create(endpoint), "us-east-1", true, "k", "secret", true);
        try (software.amazon.awssdk.services.s3.S3Client c = software.amazon.awssdk.services.s3.S3Client.builder()
                .endpointOverride(URI.create(endpoint)).forcePathStyle(true).region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("k", "secret"))).build()) {
            c.createBucket(b -> b.bucket("gocache-test"));
        }
        // Fill the S3 store with the warm objects (no prefetch manifest: the build asks object by object).
        try (ObjectStore from = ObjectStores.open(local(warmStore), null, Duration.ofSeconds(5));
             ObjectStore to = ObjectStores.open("s3://gocache-test/p", opts, Duration.ofSeconds(5))) {
            for (String prefix : List.of("o/", "a/")) {
                for (StoredObject o : from.list(prefix)) {
                    byte[] b = from.get(o.name()).orElseThrow();
                    to.put(o.name(), new ByteArrayInputStream(b), b.length);
                }
            }
        }
        Path out = work.resolve("hello");
        Process go = go(prog("s3://gocache-test/p", work.resolve("disk"), "--s3", endpoint, "k", "secret", "--signal-after-gets", "10"))
                .args("build", "-x", "-o", out.toString(), "./svc/hello").start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(go.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                lines.add(line);
                if (line.equals("STORE-USED")) {
                    proxy.stop(); // the store dies while go is still asking
                }
            }
            assertThat(go.waitFor(5, TimeUnit.MINUTES)).isTrue();
        } finally {
            go.destroyForcibly();
            if (!proxy.getState().equals("STOPPED")) {
                proxy.stop();
            }
        }
        assertThat(lines).contains("STORE-USED");
        assertThat(go.exitValue()).as(String.join("\n", lines)).isZero();
        assertThat(lines.stream().filter(l -> l.startsWith("WARNING")).count()).as(String.join("\n", lines)).isEqualTo(1);
        assertThat(lines.stream().filter(l -> l.contains("/compile ")).count()).as("packages compiled after the store died").isPositive();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(plain.resolve("hello")));
    }

    // ---- helpers ----

    static String local(Path store) {
        return "local:" + store;
    }

    /** Every visible output object decompresses to bytes that hash to its name. */
    static void assertEveryObjectIntact(Path store) throws IOException {
        try (Stream<Path> s = Files.list(store.resolve("gocache/o"))) {
            for (Path p : s.collect(Collectors.toList())) {
                byte[] body = Zstd.decompress(Files.readAllBytes(p), 1 << 30);
                assertThat(Ids.sha256(new ByteArrayInputStream(body))).isEqualTo(p.getFileName().toString());
            }
        }
    }

    static Map<String, Long> snapshot(Path root) throws IOException {
        Map<String, Long> m = new HashMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).collect(Collectors.toList())) {
                m.put(root.relativize(p).toString(), Files.getLastModifiedTime(p).toMillis() * 31 + p.toFile().length());
            }
        }
        return m;
    }

    Path copyOf(Path store) throws IOException {
        Path copy = work.resolve("store-copy");
        copyTree(store, copy);
        return copy;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.collect(Collectors.toList())) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** GOCACHEPROG command line and env for a run of the program. */
    static Map<String, String> prog(String backend, Path disk, String... extra) throws IOException {
        Files.createDirectories(disk);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m", "-cp", childClassPath(),
                GoCacheTestMain.class.getName(), "--backend", backend, "--dir", disk.toString()));
        cmd.addAll(List.of(extra));
        Map<String, String> env = new HashMap<>();
        env.put("GOCACHEPROG", String.join(" ", cmd));
        env.put("GOCACHE", disk.resolveSibling(disk.getFileName() + "-gocache-unused").toString());
        return env;
    }

    /** The test class path without the S3 server, logging backend and test frameworks. */
    static String childClassPath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> !p.matches(".*/(org/gaul|org/eclipse/jetty|com/google|io/opentelemetry|com/azure|io/prometheus"
                        + "|com/github/openstack4j|org/apache/sshd|args4j|ch/qos/logback|org/junit|org/assertj|org/opentest4j"
                        + "|net/bytebuddy|tools/jackson)/.*"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    static Run go(Map<String, String> env, String... args) throws Exception {
        return go(env).args(args).run();
    }

    public static GoCmd go(Map<String, String> env) {
        return new GoCmd(env, module, new ArrayList<>());
    }

    /** A go command about to run. */
    public record GoCmd(Map<String, String> env, Path dir, List<String> argv) {
        public GoCmd in(Path d) {
            return new GoCmd(env, d, argv);
        }

        public GoCmd args(String... a) {
            List<String> l = new ArrayList<>(argv);
            l.addAll(List.of(a));
            return new GoCmd(env, dir, l);
        }

        public Process start() throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(GO.toString());
            cmd.addAll(argv);
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
            Map<String, String> e = pb.environment();
            e.put("GOPROXY", "off");
            e.put("GOTOOLCHAIN", "local");
            e.put("GOFLAGS", "");
            e.put("CGO_ENABLED", "0");
            e.put("GOENV", "off");
            e.put("GOPATH", dir.resolveSibling("gopath").toString());
            e.remove("GOCACHEPROG");
            e.putAll(env);
            return pb.start();
        }

        public Run run() throws Exception {
            Process p = start();
            p.getOutputStream().close();
            Future<String> out = Executors.newSingleThreadExecutor().submit(() -> new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
            return new Run(p.exitValue(), out.get() + err, String.join(" ", argv));
        }
    }

    /** A finished go command. */
    public record Run(int exit, String output, String what) {
        public Run assertOk() {
            assertThat(exit).as("go " + what + ":\n" + output).isZero();
            return this;
        }

        public List<String> warnings() {
            return output.lines().filter(l -> l.startsWith("WARNING")).collect(Collectors.toList());
        }

        public List<String> compiles() {
            return output.lines().filter(l -> l.contains("/compile ")).collect(Collectors.toList());
        }
    }
}
