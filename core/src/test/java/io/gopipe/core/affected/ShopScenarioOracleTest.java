package io.gopipe.core.affected;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.gopipe.core.fixture.Expectation;
import io.gopipe.core.fixture.FixtureCommit;
import io.gopipe.core.fixture.FixtureTarget;
import io.gopipe.core.fixture.MaterializedFixture;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Validates every scenario of test-repos/shop against the real Go toolchain, without the engine:
 * the written {@code expect} must be what {@code go list -deps -json} implies.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ShopScenarioExtension.class)
class ShopScenarioOracleTest {

    private MaterializedFixture repo;
    private GoListOracle oracle;

    @BeforeAll
    void setUp(ShopScenarioExtension.Shop shop) {
        repo = shop.repo();
        oracle = shop.oracle();
        oracle.prefetch(shop.scenarioRevisions());
    }

    @TestFactory
    Stream<DynamicTest> everyScenarioAgreesWithTheToolchain() {
        return repo.scenarios().stream().map(c -> dynamicTest(c.name(), () -> {
            Expectation e = c.expectation().orElseThrow();
            FixtureCommit base = repo.baseOf(c);
            GoListOracle.Diff d = GoListOracle.diff(oracle.snapshot(base.sha(), e.target()),
                    oracle.snapshot(c.sha(), e.target()));
            String where = c.name() + " (" + base.name() + ".." + c.name() + ", " + e.target().label() + "), changed inputs "
                    + d.changed();
            System.out.println(where);
            assertThat(d.affected()).as("affected per go list: " + where).containsExactlyElementsOf(e.affected());
            assertThat(d.testAffected()).as("testAffected per go list: " + where).containsExactlyElementsOf(e.testAffected());
            Set<String> changedFiles = changedFiles(base.sha(), c.sha());
            for (Map.Entry<String, String> why : e.why().entrySet()) {
                SortedSet<String> keys = new TreeSet<>(d.changed().getOrDefault(why.getKey(), new TreeSet<>()));
                keys.addAll(changedFiles);
                assertThat(keys).as("expect.why." + why.getKey() + " must name a changed input: " + where)
                        .anyMatch(k -> k.contains(why.getValue()));
            }
        }));
    }

    @Test
    void baseRevisionHasTheDocumentedServicesAndInputs() {
        GoListOracle.Snapshot base = oracle.snapshot(repo.commit("base").sha(), FixtureTarget.DEFAULT);
        assertThat(base.services().keySet())
                .containsExactly("admin", "billing", "catalog", "gateway", "ingest", "inventory", "orders", "payments");
        assertThat(base.services().get("payments").inputs())
                .containsKeys("pkg/fastmath/sum_amd64.s", "pkg/checksum/sum_pure.go", "services/payments/Dockerfile")
                .doesNotContainKeys("pkg/checksum/checksum.c", "pkg/checksum/sum_cgo.go", "pkg/checksum/checksum.h");
        assertThat(base.services().get("billing").inputs())
                .containsKeys("services/billing/vendor/example.com/shop/libs/geo/geo.go", "services/billing/.dockerignore")
                .doesNotContainKeys("libs/geo/geo.go", ".dockerignore");
        assertThat(base.services().get("catalog").inputs())
                .containsKeys("services/catalog/assets/seed/.defaults.json", "services/catalog/assets/templates/page.tmpl");
        assertThat(base.services().get("inventory").deps())
                .contains("example.com/shop/pkg/log", "example.com/shop/libs/geo", "example.com/shop/services/inventory");
        assertThat(base.services().get("orders").testInputs())
                .containsKeys("services/orders/internal/store/testdata/orders.json", "pkg/money/money_ext_test.go");
    }

    @Test
    void cgoTargetAddsTheCFiles() {
        GoListOracle.Snapshot cgo = oracle.snapshot(repo.commit("base").sha(),
                new FixtureTarget("linux", "amd64", true, List.of()));
        assertThat(cgo.services().get("payments").inputs())
                .containsKeys("pkg/checksum/checksum.c", "pkg/checksum/sum_cgo.go", "pkg/checksum/checksum.h")
                .doesNotContainKey("pkg/checksum/sum_pure.go");
    }

    private Set<String> changedFiles(String from, String to) throws IOException {
        try (Git git = Git.open(repo.repo().toFile()); ObjectReader reader = git.getRepository().newObjectReader()) {
            CanonicalTreeParser a = new CanonicalTreeParser(null, reader, git.getRepository().resolve(from + "^{tree}"));
            CanonicalTreeParser b = new CanonicalTreeParser(null, reader, git.getRepository().resolve(to + "^{tree}"));
            Set<String> out = new TreeSet<>();
            for (DiffEntry entry : git.diff().setOldTree(a).setNewTree(b).call()) {
                out.add(entry.getOldPath());
                out.add(entry.getNewPath());
            }
            out.remove(DiffEntry.DEV_NULL);
            return out;
        } catch (org.eclipse.jgit.api.errors.GitAPIException e) {
            throw new IOException(e);
        }
    }
}
