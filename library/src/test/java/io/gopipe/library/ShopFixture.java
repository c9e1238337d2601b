package io.gopipe.library;

import io.gopipe.core.fixture.Expectation;
import io.gopipe.core.fixture.Fixture;
import io.gopipe.core.fixture.FixtureCommit;
import io.gopipe.core.fixture.FixtureLoader;
import io.gopipe.core.fixture.FixtureMaterializer;
import io.gopipe.core.fixture.MaterializedFixture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The shop fixture (test-repos/shop) as a real git repository, through the project's
 * FixtureMaterializer: the base tree, then every change set up to the scenario, one commit each;
 * the scenario's base and expectations as change.yaml states them.
 */
public final class ShopFixture {
    /** The materialized repository and what the scenario says must be affected. */
    public record Repo(Path dir, String base, String head, List<String> affected, List<String> testAffected) {
    }

    static Path root() {
        return Path.of(System.getProperty("gopipe.root", "..")).toAbsolutePath().normalize();
    }

    public static Repo materialize(Path target, String scenario) {
        Fixture shop = new FixtureLoader().load(root().resolve("test-repos/shop"));
        MaterializedFixture m = new FixtureMaterializer().materialize(shop, target,
                new FixtureMaterializer.Options(Optional.of(scenario), false));
        FixtureCommit head = m.commit(scenario);
        FixtureCommit base = m.baseOf(head);
        Expectation e = head.expectation().orElseThrow();
        return new Repo(m.repo(), base.sha(), head.sha(), sorted(e.affected()), sorted(e.testAffected()));
    }

    private static List<String> sorted(List<String> l) {
        return List.copyOf(new TreeSet<>(l));
    }

    /** Makes {@code dir} a git repository on {@code main} with everything in it in one commit. */
    public static void commitAll(Path dir, String message) {
        git(dir, "init", "-q", "-b", "main");
        git(dir, "add", "-A");
        git(dir, "commit", "-q", "-m", message);
    }

    /** Runs git in {@code dir} with a fixed identity; fails with git's output on error. */
    public static String git(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                "-c", "commit.gpgsign=false"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("git " + String.join(" ", args) + " failed in " + dir + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
