package io.gopipe.library;

import io.gopipe.library.harness.PipelineHarness;
import io.gopipe.library.harness.ShHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * bench/pipeline (run by bench/pipeline/run.sh, never by a plain {@code mvn test}): the shared
 * library's goMonorepoPipeline (engine 'cli', the real gopipe command, docker, registry and cache
 * store) against the naive pipeline of bench/pipeline/naive.Jenkinsfile, both under this module's
 * CPS harness, on the generated monorepo's history: the base commit first (the "previous build",
 * untimed for the ratios), then one commit per scenario, each built after the previous one as builds
 * of main follow each other. Every case starts on a pruned builder ({@code docker buildx prune -af})
 * and a fresh agent: a new clone, empty HOME, GOPATH and GOCACHE. Only what each pipeline itself
 * stores survives: the registry (images, registry cache) for both, gopipe's cache store for gopipe.
 *
 * <p>System properties: gopipe.bench.pipeline.out (results folder), .repo (the generated repo),
 * .commits (its "name TAB commit" list, base first), .jar (gopipe.jar), .go (a Go bin folder),
 * .registry (image prefix, unique per run), .variants (default naive,gopipe; also gopipe-remote: the
 * remote build cache through the workspace's gocache daemon), .cases (default: all; the base commit is
 * always built first, as the previous build; a skipped case's commit still counts as the next case's
 * previous build, so each selected case measures its own change).
 */
@EnabledIfSystemProperty(named = "gopipe.bench.pipeline.out", matches = ".+")
class PipelineBench {

    /**
     * The harness runs one {@code sh} at a time, so the naive pipeline's images never build side by
     * side; the batched image command of gopipe's variants builds one at a time too (the library's
     * default is two), so both pipelines get the same parallelism.
     */
    private static final String SERIAL_IMAGES = ", imageParallel: 1";

    private static String prop(String name) {
        String v = System.getProperty("gopipe.bench.pipeline." + name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("system property gopipe.bench.pipeline." + name + " is not set (run bench/pipeline/run.sh)");
        }
        return v;
    }

    /** One timed sh call: what kind of work it was, and how long it took. */
    record ShTime(String kind, double seconds) {
    }

    @Test
    void wholePipelinesSideBySide() throws Exception {
        Path out = Path.of(prop("out"));
        Path repo = Path.of(prop("repo"));
        Path jar = Path.of(prop("jar"));
        String go = prop("go");
        String registry = prop("registry");
        List<String> variants = List.of(System.getProperty("gopipe.bench.pipeline.variants", "naive,gopipe").split(","));
        Map<String, String> commits = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(prop("commits")))) {
            String[] f = line.split("\t");
            if (f.length == 2) {
                commits.put(f[0], f[1]);
            }
        }
        String naive = Files.readString(Path.of(prop("naive")));
        // The gopipe command on the agents: the launcher bin/gopipe (C1 only, serial GC, AppCDS archives it
        // writes itself under the agent's fresh $HOME/.cache/gopipe) as docs/jenkins.md installs it, or the
        // plain `java -jar gopipe.jar` (launcher=java).
        String launcher = System.getProperty("gopipe.bench.pipeline.launcher", "bin");
        String gopipe = switch (launcher) {
            case "bin" -> jar.toAbsolutePath().getParent().getParent().getParent().resolve("bin/gopipe").toString();
            case "java" -> "java -jar " + jar;
            default -> throw new IllegalArgumentException("unknown launcher " + launcher + " (bin, java)");
        };
        Path store = Files.createDirectories(out.resolve("store"));
        Path remoteStore = Files.createDirectories(out.resolve("store-remote"));
        for (String v : variants) {
            Files.createDirectories(out.resolve("store-" + v));
        }
        Path results = out.resolve("results.tsv");
        Files.writeString(results, "variant\tcase\tcommit\tseconds\tprune_s\tload1\timages\ttests\taffected_s\trestore_s\ttest_s\timage_s\tsave_s\tother_s\n");

        String prev = null;
        int build = 0;
        String casesProp = System.getProperty("gopipe.bench.pipeline.cases", "");
        List<String> cases = casesProp.isBlank() ? List.of() : List.of(casesProp.split(","));
        String first = commits.keySet().iterator().next();
        for (Map.Entry<String, String> c : commits.entrySet()) {
            build++;
            if (!cases.isEmpty() && !c.getKey().equals(first) && !cases.contains(c.getKey())) {
                // Not built, but each case is its own change: the next case diffs against this commit (its
                // parent), so a docs-only case stays docs-only when the case before it is skipped.
                prev = c.getValue();
                continue;
            }
            for (String v : variants) {
                String script = switch (v) {
                    case "naive" -> naive;
                    // What a user writes: affected services, the Go build cache through the team's cache
                    // store, images pushed with the registry cache (gopipe's defaults otherwise). Not
                    // 'mod': the repository has no external modules (no go.sum), so there is nothing to
                    // cache and gopipe would only warn that it skipped it.
                    case "gopipe" -> "goMonorepoPipeline(engine: 'cli', gopipe: '" + gopipe + "', caches: ['build'],"
                            + " cacheBackend: 'local:" + store + "', registry: '" + registry + "/gopipe', imageNetwork: 'host'" + SERIAL_IMAGES + ")";
                    // The same, with the remote build cache: one gocache daemon for the fan-out, go test through
                    // its bridge, and each image's go build inside BuildKit through it (no archive).
                    // Built with --network host, as the naive pipeline: the images' go build reaches the daemon
                    // through the direct loopback link. -tunnel: the RUN in a network of its own (none), so
                    // through the ssh tunnel as on a remote builder (and dockerd's BuildKit 0.13 then checksums
                    // the RUN's whole root file system first, docs/image.md).
                    // -tunnel-nobatch: the same through the tunnel with one image command per branch.
                    case "gopipe-remote", "gopipe-remote-tunnel", "gopipe-remote-tunnel-nobatch" -> "goMonorepoPipeline(engine: 'cli', gopipe: '" + gopipe
                            + "', caches: ['build'], buildCacheFlavour: 'remote', cacheBackend: 'local:"
                            + (v.equals("gopipe-remote") ? remoteStore : out.resolve("store-" + v)) + "', registry: '" + registry
                            + "/" + v + "', imageNetwork: '" + (v.equals("gopipe-remote") ? "host" : "none") + "'"
                            + (v.endsWith("nobatch") ? ", batchImages: false" : SERIAL_IMAGES) + ")";
                    // A/B of the overlaps: the daemon started after 'affected' (waited for in the same step, with the
                    // first service's prefetch key) and no builder warm-up, as before they existed; -java: java -jar.
                    case "gopipe-remote-seq", "gopipe-remote-seq-java" -> "goMonorepoPipeline(engine: 'cli', gopipe: '"
                            + (v.endsWith("-java") ? "java -jar " + jar : gopipe) + "', caches: ['build'],"
                            + " buildCacheFlavour: 'remote', cacheBackend: 'local:" + out.resolve("store-" + v) + "', registry: '" + registry
                            + "/" + v + "', overlapDaemon: false, warmBuilder: false, imageNetwork: 'host'" + SERIAL_IMAGES + ")";
                    // A/B of the image fan-out: one `gopipe image build` per branch (each with the job's
                    // plan file), the one batched command building one image at a time (-batch1, what
                    // gopipe-remote does) or the library's default two at a time (-batch), and
                    // gopipe-remote without the AppCDS archives bin/gopipe-cds wrote next to the jar (-nocds).
                    // The archive flavour with the batch: no tunnel, so no per-key prefetch inside the one command.
                    case "gopipe-batch" -> "goMonorepoPipeline(engine: 'cli', gopipe: '" + gopipe + "', caches: ['build'],"
                            + " cacheBackend: 'local:" + out.resolve("store-" + v) + "', registry: '" + registry + "/" + v
                            + "', batchImages: true, imageNetwork: 'host')";
                    case "gopipe-remote-nobatch", "gopipe-remote-batch", "gopipe-remote-batch1", "gopipe-remote-nocds" ->
                            "goMonorepoPipeline(engine: 'cli', gopipe: '" + gopipe
                            + "', caches: ['build'], buildCacheFlavour: 'remote', cacheBackend: 'local:" + out.resolve("store-" + v)
                            + "', registry: '" + registry + "/" + v + "', imageNetwork: 'host'"
                            + (v.endsWith("nobatch") ? ", batchImages: false" : v.endsWith("batch1") ? ", batchImages: true, imageParallel: 1"
                            : v.endsWith("batch") ? ", batchImages: true" : SERIAL_IMAGES) + ")";
                    default -> throw new IllegalArgumentException("unknown variant " + v
                            + " (naive, gopipe, gopipe-remote, gopipe-remote-tunnel, gopipe-remote-tunnel-nobatch, gopipe-remote-seq, gopipe-remote-seq-java, gopipe-remote-nobatch,"
                            + " gopipe-remote-batch, gopipe-remote-batch1, gopipe-remote-nocds, gopipe-batch)");
                };
                try {
                    runCase(out, repo, go, registry, v, c.getKey(), c.getValue(), prev, build, script, results, 1, jar);
                } catch (AssertionError e) {
                    // The builder is the machine's default one, shared with other work that may prune it
                    // mid-build (seen: "exporting cache to registry: not found"). One retry, on record.
                    progress(out, v + " " + c.getKey() + ": FAILED (" + e.getMessage().lines().findFirst().orElse("")
                            + "); retrying once");
                    runCase(out, repo, go, registry, v, c.getKey(), c.getValue(), prev, build, script, results, 2, jar);
                }
            }
            prev = c.getValue();
        }
    }

    private void runCase(Path out, Path repo, String go, String registry, String variant, String name, String commit,
                         String prev, int build, String script, Path results, int attempt, Path jar) throws Exception {
        progress(out, variant + " " + name + ": pruning the builder, new agent");
        double prune = timed(() -> exec(out, "docker", "buildx", "prune", "-af"));
        Path agent = out.resolve("agents").resolve(variant + "-" + name + (attempt > 1 ? "-attempt" + attempt : ""));
        Path ws = agent.resolve("ws");
        exec(out, "git", "clone", "-q", repo.toString(), ws.toString());
        exec(out, "git", "-C", ws.toString(), "checkout", "-q", "-B", "main", commit);
        PipelineHarness h = new PipelineHarness(PluginFlowTest.VARS, ws, null)
                .env("BRANCH_NAME", "main").env("GIT_COMMIT", commit).env("BUILD_NUMBER", Integer.toString(build))
                .env("JOB_NAME", "mono/main")
                .env("PATH", go + ":" + System.getenv("PATH")).env("HOME", Files.createDirectories(agent.resolve("home")).toString())
                .env("GOCACHE", agent.resolve("gocache").toString()).env("GOPATH", agent.resolve("gopath").toString())
                .env("GOPROXY", "off").env("GOFLAGS", "-mod=mod").env("GOTOOLCHAIN", "local").env("CGO_ENABLED", "0")
                .env("REGISTRY", registry + "/naive")
                // The gocache daemon's local tier belongs to the agent (the JVM's user.home ignores HOME).
                .env("GOPIPE_GOCACHE_DIR", agent.resolve("gocache-tier").toString())
                .env("GOPIPE_JAR", jar.toAbsolutePath().toString());
        if (variant.endsWith("-nocds")) {
            // Without the archives bin/gopipe-cds wrote next to the jar: a fresh agent as before them.
            h.env("GOPIPE_CDS_BAKED_DIR", agent.resolve("no-baked-cds").toString());
        }
        if (prev != null) {
            h.env("GIT_PREVIOUS_SUCCESSFUL_COMMIT", prev);
        }
        List<ShTime> times = new ArrayList<>();
        h.sh((s, cwd, env) -> {
            long t0 = System.nanoTime();
            ShHandler.Result r = PipelineHarness.realSh(s, cwd, env);
            times.add(new ShTime(kind(s), (System.nanoTime() - t0) / 1e9));
            return r;
        });
        // Jenkins compiles the library before the build starts: do it here too, outside the timed part.
        if (h.run("echo 'agent ready'").failure() != null) {
            throw new IllegalStateException("harness warm-up failed:\n" + h.log());
        }
        times.clear();
        String load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        progress(out, variant + " " + name + ": running (load " + load + ")");
        long t0 = System.nanoTime();
        PipelineHarness.Result r = h.run(script);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Path logs = Files.createDirectories(out.resolve("logs"));
        String base = variant + "-" + name + (attempt > 1 ? "-attempt" + attempt : "");
        Files.writeString(logs.resolve(base + ".log"), h.log());
        if (Files.exists(ws.resolve("gopipe-summary.json"))) {
            Files.copy(ws.resolve("gopipe-summary.json"), logs.resolve(base + "-summary.json"));
        }
        if (r.failure() != null) {
            String log = h.log();
            throw new AssertionError(variant + " " + name + " failed: " + r.failure().getMessage() + "\n"
                    + log.substring(Math.max(0, log.length() - 6000)), r.failure());
        }
        Map<String, Double> by = new LinkedHashMap<>();
        for (String k : List.of("affected", "restore", "test", "image", "save", "other")) {
            by.put(k, 0.0);
        }
        int images = 0;
        int tests = 0;
        for (ShTime t : times) {
            by.merge(t.kind(), t.seconds(), Double::sum);
            images += t.kind().equals("image") ? 1 : 0;
            tests += t.kind().equals("test") ? 1 : 0;
        }
        String line = String.join("\t", variant, name, commit.substring(0, 12), fmt(seconds), fmt(prune), load + (attempt > 1 ? "(retry)" : ""),
                Integer.toString(images), Integer.toString(tests), fmt(by.get("affected")), fmt(by.get("restore")),
                fmt(by.get("test")), fmt(by.get("image")), fmt(by.get("save")), fmt(by.get("other"))) + "\n";
        Files.writeString(results, line, StandardOpenOption.APPEND);
        progress(out, String.format("%s %s: %.1f s (%d images, %d test runs)", variant, name, seconds, images, tests));
        // The agent goes away with its workspace and its caches; the disk is shared.
        for (String d : List.of("ws", "ws@tmp", "ws@gopipe", "gocache", "gopath", "gocache-tier")) {
            deleteTree(agent.resolve(d));
        }
    }

    /** The sh calls both pipelines make, by what they do. */
    static String kind(String script) {
        if (script.contains("'affected'")) {
            return "affected";
        }
        // The remote build cache's daemon: its start counts as the cache restore, its stop as the save.
        if (script.contains("'gocache' 'serve'") || script.contains("# gopipe gocache daemon: ready")) {
            return "restore";
        }
        if (script.contains("gopipe-gocache") && script.contains("kill -TERM")) {
            return "save";
        }
        // The builder warm-up's start and result steps (its builds run detached, beside the Test stages).
        if (script.contains("gopipe-warmup")) {
            return "other";
        }
        if (script.contains("'cache' 'restore'")) {
            return "restore";
        }
        if (script.contains("'cache' 'save'")) {
            return "save";
        }
        if (script.contains("image build") || script.contains("'image' 'build'") || script.contains("buildx build")) {
            return "image";
        }
        if (script.contains("go test")) {
            return "test";
        }
        return "other";
    }

    interface Action {
        void run() throws Exception;
    }

    private static double timed(Action a) throws Exception {
        long t0 = System.nanoTime();
        a.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String fmt(double d) {
        return String.format("%.2f", d);
    }

    private static void exec(Path out, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.resolve("commands.log").toFile())).start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " failed; see " + out.resolve("commands.log"));
        }
    }

    private static void progress(Path out, String message) throws IOException {
        Files.writeString(out.resolve("progress.log"), "[" + Instant.now().toString().substring(11, 19) + "] " + message + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                p.toFile().setWritable(true);
                Files.deleteIfExists(p);
            }
        }
    }
}
