package io.gopipe.core.affected;

import io.gopipe.core.fixture.FixtureCommit;
import io.gopipe.core.fixture.FixtureMaterializer;
import io.gopipe.core.fixture.FixtureTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.gopipe.core.fixture.MaterializedFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Supplies the materialized shop fixture and its {@link GoListOracle} to tests. Both live in the
 * root extension store: materialized once per test run, {@code go list} results shared by every
 * class that asks, deleted when the run ends.
 */
final class ShopScenarioExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ShopScenarioExtension.class);

    /** The shop fixture as a git repository plus the toolchain oracle over it. */
    record Shop(MaterializedFixture repo, GoListOracle oracle, Path tempDir) implements ExtensionContext.Store.CloseableResource {

        /** The (revision, target) pairs every scenario compares, for {@link GoListOracle#prefetch}. */
        List<Map.Entry<String, FixtureTarget>> scenarioRevisions() {
            List<Map.Entry<String, FixtureTarget>> out = new ArrayList<>();
            for (FixtureCommit c : repo.scenarios()) {
                FixtureTarget t = c.expectation().orElseThrow().target();
                out.add(Map.entry(repo.baseOf(c).sha(), t));
                out.add(Map.entry(c.sha(), t));
            }
            return out;
        }

        @Override
        public void close() throws IOException {
            oracle.close();
            try (Stream<Path> s = Files.walk(tempDir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Shop.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("shop", k -> create(), Shop.class);
    }

    private static Shop create() {
        try {
            Path temp = Files.createTempDirectory("gopipe-shop-");
            MaterializedFixture repo = new FixtureMaterializer().materialize(fixtureDir("shop"), temp.resolve("repo"));
            Path checkouts = Files.createDirectories(temp.resolve("checkouts"));
            return new Shop(repo, new GoListOracle(repo.repo(), checkouts), temp);
        } catch (IOException e) {
            throw new IllegalStateException("cannot materialize the shop fixture: " + e.getMessage(), e);
        }
    }

    /** test-repos/NAME, found from the working directory upwards (Maven runs tests in core/). */
    static Path fixtureDir(String name) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("test-repos").resolve(name);
            if (Files.isDirectory(candidate.resolve("base"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("test-repos/" + name + " not found above " + Path.of("").toAbsolutePath());
    }
}
