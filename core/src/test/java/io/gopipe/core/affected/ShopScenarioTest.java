package io.gopipe.core.affected;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.gopipe.core.fixture.Expectation;
import io.gopipe.core.fixture.FixtureCommit;
import io.gopipe.core.fixture.FixtureLoader;
import io.gopipe.core.fixture.FixtureMaterializer;
import io.gopipe.core.fixture.FixtureTarget;
import io.gopipe.core.fixture.MaterializedFixture;
import io.gopipe.core.report.Reporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine on every scenario of test-repos/shop: its result must be the scenario's {@code expect}
 * (which {@link ShopScenarioOracleTest} checks against the toolchain), with a reason chain for every
 * service; plus the error paths on a copy of the fixture.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ShopScenarioExtension.class)
class ShopScenarioTest {

    private static final List<String> ALL_AT_HEAD = List.of("admin", "billing", "catalog", "gateway", "ingest",
            "inventory", "orders", "payments", "shipping");

    private MaterializedFixture repo;
    private final AffectedEngine engine = new AffectedEngine(new ParseCache(), Reporter.silent());

    @BeforeAll
    void setUp(ShopScenarioExtension.Shop shop) {
        repo = shop.repo();
    }

    static BuildTarget target(FixtureTarget t) {
        return new BuildTarget(t.goos(), t.goarch(), t.cgo(), new LinkedHashSet<>(t.tags()));
    }

    @TestFactory
    Stream<DynamicTest> engineMeetsEveryExpectation() {
        return repo.scenarios().stream().map(c -> dynamicTest(c.name(), () -> {
            Expectation e = c.expectation().orElseThrow();
            FixtureCommit base = repo.baseOf(c);
            AffectedResult r = engine.compute(new AffectedRequest(repo.repo(), BaseSpec.revision(base.sha()), c.sha(),
                    target(e.target()), null));
            String where = c.name() + " (" + base.name() + ".." + c.name() + ", " + e.target().label() + "): " + r.toJson();
            assertThat(r.services()).as("services of " + where).extracting(AffectedService::name)
                    .containsExactlyElementsOf(e.affected());
            assertThat(r.testAffected()).as("testAffected of " + where).extracting(AffectedService::name)
                    .containsExactlyElementsOf(e.testAffected());
            e.all().ifPresent(all -> assertThat(r.all()).as("all of " + where).isEqualTo(all));
            for (AffectedService s : concat(r.services(), r.testAffected())) {
                assertThat(s.reasons()).as("reasons of " + s.name() + " in " + where).isNotEmpty()
                        .allSatisfy(reason -> {
                            assertThat(reason.file()).isNotBlank();
                            assertThat(reason.chain()).isNotEmpty();
                        });
            }
            for (Map.Entry<String, String> why : e.why().entrySet()) {
                AffectedService s = concat(r.services(), r.testAffected()).stream()
                        .filter(x -> x.name().equals(why.getKey())).findFirst().orElseThrow();
                assertThat(s.reasons()).as("a reason of " + s.name() + " must mention '" + why.getValue() + "': " + where)
                        .anyMatch(reason -> (reason.file() + " " + String.join(" ", reason.chain())).contains(why.getValue()));
            }
        }));
    }

    @Test
    void missingBaseAffectsEveryServiceWithTheReason() {
        String missing = "0123456789abcdef0123456789abcdef01234567";
        AffectedResult r = engine.compute(new AffectedRequest(repo.repo(), BaseSpec.revision(missing), repo.head().sha(),
                BuildTarget.linuxAmd64(), null));
        assertThat(r.all()).isTrue();
        assertThat(r.allReason()).contains(missing.substring(0, 12));
        assertThat(r.services()).extracting(AffectedService::name).containsExactlyElementsOf(ALL_AT_HEAD);
        assertThat(r.services()).allSatisfy(s -> assertThat(s.reasons()).isNotEmpty());
    }

    @Test
    void allZeroBaseAffectsEveryService() {
        AffectedResult r = engine.compute(new AffectedRequest(repo.repo(), BaseSpec.revision("0".repeat(40)),
                repo.head().sha(), BuildTarget.linuxAmd64(), null));
        assertThat(r.all()).isTrue();
        assertThat(r.allReason()).isNotBlank();
        assertThat(r.services()).extracting(AffectedService::name).containsExactlyElementsOf(ALL_AT_HEAD);
    }

    @Test
    void malformedGoModIsReportedWithFileAndLine(@TempDir Path temp) throws Exception {
        MaterializedFixture copy = smallCopy(temp);
        String head = commit(copy.repo(), "services/inventory/go.mod",
                "module example.com/shop/services/inventory\n\ngo 1.22\n\nrequire (\n\texample.com/shop v0.0.0\n\treplace oops\n");
        assertThatThrownBy(() -> engine.compute(new AffectedRequest(copy.repo(), BaseSpec.revision(copy.head().sha()), head,
                BuildTarget.linuxAmd64(), null)))
                .isInstanceOf(GoModException.class)
                .hasMessageContaining("services/inventory/go.mod:7");
    }

    @Test
    void malformedGoWorkIsReportedWithFileAndLine(@TempDir Path temp) throws Exception {
        MaterializedFixture copy = smallCopy(temp);
        String head = commit(copy.repo(), "analytics/go.work", "go 1.22\n\nuse (\n\t./ingest\n\t./shared\n\nfrobnicate ./x\n");
        assertThatThrownBy(() -> engine.compute(new AffectedRequest(copy.repo(), BaseSpec.revision(copy.head().sha()), head,
                BuildTarget.linuxAmd64(), null)))
                .isInstanceOf(GoModException.class)
                .hasMessageContaining("analytics/go.work:");
    }

    @Test
    void nonGitDirectoryAffectsEveryServiceWithTheReason(@TempDir Path temp) throws IOException {
        Path plain = temp.resolve("plain");
        copyTree(ShopScenarioExtension.fixtureDir("shop").resolve("base"), plain);
        AffectedResult r = engine.compute(new AffectedRequest(plain, BaseSpec.revision("HEAD~1"), "HEAD",
                BuildTarget.linuxAmd64(), null));
        assertThat(r.all()).isTrue();
        assertThat(r.allReason()).containsIgnoringCase("git");
        assertThat(r.services()).extracting(AffectedService::name)
                .containsExactly("admin", "billing", "catalog", "gateway", "ingest", "inventory", "orders", "payments");
    }

    private static MaterializedFixture smallCopy(Path temp) {
        return new FixtureMaterializer().materialize(new FixtureLoader().load(ShopScenarioExtension.fixtureDir("shop")),
                temp.resolve("repo"), new FixtureMaterializer.Options(Optional.of("01"), false));
    }

    private static String commit(Path repo, String path, String content) throws IOException, GitAPIException {
        Files.writeString(repo.resolve(path), content);
        try (Git git = Git.open(repo.toFile())) {
            git.add().addFilepattern(path).call();
            PersonIdent who = new PersonIdent("Shop Developer", "dev@shop.example");
            return git.commit().setMessage("break " + path).setAuthor(who).setCommitter(who).setSign(false).call().getName();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static List<AffectedService> concat(List<AffectedService> a, List<AffectedService> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }
}
