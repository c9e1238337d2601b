package io.gopipe.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/gopipe-cds bakes the class-data archives of the short commands next to the jar, and bin/gopipe uses
 * them on a fresh agent (empty HOME) instead of loading every class from the jar and, for the gocache
 * commands, dumping an archive at exit (the bridge's dump sat on the daemon start's critical path).
 * Needs the packaged jar, which `mvn verify` builds before this module's tests.
 */
class LauncherCdsTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path JAR = ROOT.resolve("cli/target/gopipe.jar");
    static final String CLOSE = "{\"ID\":1,\"Command\":\"close\"}\n";

    @TempDir
    static Path tmp;
    static Path baked;

    @BeforeAll
    static void bake() throws Exception {
        assumeTrue(Files.isRegularFile(JAR) && !Files.getLastModifiedTime(JAR).toInstant()
                        .isBefore(Files.getLastModifiedTime(ROOT.resolve("cli/target/classes")).toInstant()),
                "needs the packaged jar of this build (mvn verify)");
        baked = tmp.resolve("baked");
        Run r = run(List.of("bash", ROOT.resolve("bin/gopipe-cds").toString()), Map.of("GOPIPE_CDS_BAKED_DIR", baked.toString()),
                "", tmp.resolve("home-bake"));
        assertThat(r.rc).as("bin/gopipe-cds: " + r.err).isZero();
    }

    @Test
    void everyShortCommandGetsABakedArchive() {
        for (String name : List.of("affected", "image-build", "gocache", "gocache-serve", "gocache-bridge")) {
            assertThat(baked.resolve(name + ".jsa")).as(name).isNotEmptyFile();
        }
    }

    @Test
    void aFreshAgentsGocacheUsesTheBakedArchiveAndDumpsNone() throws Exception {
        Path own = tmp.resolve("cds-fresh");
        Run r = gocache(baked, own, "fresh");
        assertThat(r.rc).as(r.err).isZero();
        // stdout is the GOCACHEPROG protocol only: no JVM line about the archive.
        assertThat(r.out.lines().toList()).containsExactly("{\"ID\":0,\"KnownCommands\":[\"get\",\"put\",\"close\"]}", "{\"ID\":1}");
        assertThat(own.resolve("gocache.jsa")).as("an archive dumped by this run").doesNotExist();
    }

    @Test
    void withoutTheBakedArchiveTheFirstRunDumpsItsOwn() throws Exception {
        Path own = tmp.resolve("cds-unbaked");
        Run r = gocache(tmp.resolve("no-baked"), own, "unbaked");
        assertThat(r.rc).as(r.err).isZero();
        assertThat(own.resolve("gocache.jsa")).isNotEmptyFile();
    }

    static Run gocache(Path bakedDir, Path cdsDir, String name) throws Exception {
        Path store = Files.createDirectories(tmp.resolve("store-" + name));
        return run(List.of("bash", ROOT.resolve("bin/gopipe").toString(), "gocache", "--backend", "local:" + store),
                Map.of("GOPIPE_CDS_BAKED_DIR", bakedDir.toString(), "GOPIPE_CDS_DIR", cdsDir.toString()), CLOSE,
                tmp.resolve("home-" + name));
    }

    record Run(int rc, String out, String err) {
    }

    static Run run(List<String> cmd, Map<String, String> env, String stdin, Path home) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        pb.environment().remove("GOPIPE_JAVA_OPTS");
        pb.environment().putAll(env);
        pb.environment().put("GOPIPE_JAR", JAR.toString());
        pb.environment().put("HOME", Files.createDirectories(home).toString());
        // The bridge's training run builds the bridge with Go 1.24 when this machine has it.
        pb.environment().put("PATH", GocacheDaemonFlowTest.GO124 + ":" + System.getenv("PATH"));
        Path out = tmp.resolve("out-" + System.nanoTime());
        Path err = tmp.resolve("err-" + System.nanoTime());
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException closedEarly) {
            // a command that does not read its stdin
        }
        int rc = p.waitFor();
        return new Run(rc, Files.readString(out), Files.readString(err));
    }
}
