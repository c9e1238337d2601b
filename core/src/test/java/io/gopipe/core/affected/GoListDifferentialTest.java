package io.gopipe.core.affected;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.gopipe.core.fixture.Expectation;
import io.gopipe.core.fixture.FixtureCommit;
import io.gopipe.core.fixture.FixtureTarget;
import io.gopipe.core.fixture.MaterializedFixture;
import io.gopipe.core.report.Reporter;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The engine against the real toolchain on every scenario of test-repos/shop and its target: the
 * per-service dependency sets at both revisions equal {@code go list -deps -json}'s, and the affected
 * and test-affected services equal what the toolchain's input fingerprints imply.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ShopScenarioExtension.class)
class GoListDifferentialTest {

    private MaterializedFixture repo;
    private GoListOracle oracle;
    private final AffectedEngine engine = new AffectedEngine(new ParseCache(), Reporter.silent());
    private final Map<String, Map<String, SortedSet<String>>> engineDeps = new ConcurrentHashMap<>();

    @BeforeAll
    void setUp(ShopScenarioExtension.Shop shop) {
        repo = shop.repo();
        oracle = shop.oracle();
        oracle.prefetch(shop.scenarioRevisions());
    }

    @TestFactory
    Stream<DynamicTest> engineAgreesWithGoList() {
        return repo.scenarios().stream().map(c -> dynamicTest(c.name(), () -> {
            Expectation e = c.expectation().orElseThrow();
            FixtureCommit base = repo.baseOf(c);
            String where = c.name() + " (" + base.name() + ".." + c.name() + ", " + e.target().label() + ")";
            for (FixtureCommit rev : new FixtureCommit[] {base, c}) {
                SortedMap<String, SortedSet<String>> truth = oracle.snapshot(rev.sha(), e.target()).dependenciesByDir();
                Map<String, SortedSet<String>> mine = deps(rev.sha(), e.target());
                assertThat(mine).as("service dependencies at " + rev.name() + " for " + where + "; differences "
                        + differences(mine, truth)).isEqualTo(truth);
            }
            GoListOracle.Diff truth = GoListOracle.diff(oracle.snapshot(base.sha(), e.target()), oracle.snapshot(c.sha(), e.target()));
            AffectedResult r = engine.compute(new AffectedRequest(repo.repo(), BaseSpec.revision(base.sha()), c.sha(),
                    ShopScenarioTest.target(e.target()), null));
            assertThat(r.services()).as("affected of " + where + " (go list: changed inputs " + truth.changed() + ")")
                    .extracting(AffectedService::name).containsExactlyElementsOf(truth.affected());
            assertThat(r.testAffected()).as("testAffected of " + where + " (go list: changed inputs " + truth.changed() + ")")
                    .extracting(AffectedService::name).containsExactlyElementsOf(truth.testAffected());
        }));
    }

    private Map<String, SortedSet<String>> deps(String sha, FixtureTarget target) {
        return engineDeps.computeIfAbsent(sha + " " + target.label(),
                k -> new TreeMap<>(engine.serviceDependencies(repo.repo(), sha, ShopScenarioTest.target(target))));
    }

    private static String differences(Map<String, SortedSet<String>> engine, Map<String, SortedSet<String>> goList) {
        StringBuilder b = new StringBuilder();
        TreeSet<String> dirs = new TreeSet<>(engine.keySet());
        dirs.addAll(goList.keySet());
        for (String dir : dirs) {
            SortedSet<String> e = engine.getOrDefault(dir, new TreeSet<>());
            SortedSet<String> g = goList.getOrDefault(dir, new TreeSet<>());
            TreeSet<String> extra = new TreeSet<>(e);
            extra.removeAll(g);
            TreeSet<String> missing = new TreeSet<>(g);
            missing.removeAll(e);
            if (!extra.isEmpty() || !missing.isEmpty() || engine.containsKey(dir) != goList.containsKey(dir)) {
                b.append("\n  ").append(dir).append(": engine-only ").append(extra).append(", go-list-only ").append(missing)
                        .append(engine.containsKey(dir) ? "" : " (no such service in the engine)")
                        .append(goList.containsKey(dir) ? "" : " (no such service per go list)");
            }
        }
        return b.length() == 0 ? "none" : b.toString();
    }
}
