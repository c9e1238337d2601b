package io.gopipe.library;

import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The shop fixture (test-repos/shop) as a real git repository: the base tree as one commit on
 * main, then one scenario's change set as the next commit, with the scenario's expectations.
 * A small stand-in until io.gopipe.core.fixture.FixtureMaterializer lands on main.
 */
public final class ShopFixture {
    /** The materialized repository and what the scenario says must be affected. */
    public record Repo(Path dir, String base, String head, List<String> affected, List<String> testAffected) {
    }

    static Path root() {
        return Path.of(System.getProperty("gopipe.root", "..")).toAbsolutePath().normalize();
    }

    public static Repo materialize(Path target, String scenario) {
        Path shop = root().resolve("test-repos/shop");
        Path change = shop.resolve("changes").resolve(scenario);
        copyTree(shop.resolve("base"), target);
        alignConfigKeys(target.resolve("gopipe.yaml"));
        git(target, "init", "-q", "-b", "main");
        git(target, "add", "-A");
        git(target, "commit", "-q", "-m", "shop: base");
        String base = git(target, "rev-parse", "HEAD").trim();
        Map<String, Object> spec = yaml(change.resolve("change.yaml"));
        for (Object d : list(spec.get("delete"))) {
            git(target, "rm", "-q", "-r", d.toString());
        }
        for (Object r : list(spec.get("rename"))) {
            Map<?, ?> m = (Map<?, ?>) r;
            git(target, "mv", m.get("from").toString(), m.get("to").toString());
        }
        if (Files.isDirectory(change.resolve("files"))) {
            copyTree(change.resolve("files"), target);
        }
        git(target, "add", "-A");
        git(target, "commit", "-q", "--allow-empty", "-m", String.valueOf(spec.getOrDefault("message", scenario)));
        String head = git(target, "rev-parse", "HEAD").trim();
        Map<?, ?> expect = (Map<?, ?>) spec.get("expect");
        return new Repo(target, base, head, names(expect.get("affected")), names(expect.get("testAffected")));
    }

    /**
     * The fixture's gopipe.yaml says {@code global:} and {@code exclude:} where the engine reads
     * {@code globalPaths:} and {@code excludeDirs:} (two branches that have not met yet). Renaming
     * the keys keeps these tests on the fixture's meaning; a no-op once the two agree.
     */
    private static void alignConfigKeys(Path yaml) {
        try {
            if (Files.exists(yaml)) {
                String s = Files.readString(yaml);
                Files.writeString(yaml, s.replaceAll("(?m)^global:", "globalPaths:").replaceAll("(?m)^exclude:", "excludeDirs:"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> names(Object o) {
        List<String> l = new ArrayList<>();
        for (Object x : list(o)) {
            l.add(x.toString());
        }
        return List.copyOf(new TreeSet<>(l));
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(Path p) {
        try {
            return (Map<String, Object>) new Yaml().load(Files.readString(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyTree(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.createDirectories(dest.getParent());
                    Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
