package io.gopipe.core.affected;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gopipe.core.report.Reporter;

/** One small real git repository per rule; each test commits a base, a change, and checks the outcome. */
class AffectedRulesTest {

    @TempDir
    Path tmp;

    private TestRepo r;
    private String base;
    private final ParseCache cache = new ParseCache();
    private final AffectedEngine engine = new AffectedEngine(cache, Reporter.silent());

    @BeforeEach
    void repo() {
        r = TestRepo.init(tmp);
        r.write("go.mod", "module example.com/m\n\ngo 1.22\n");
        r.go("cmd/a/main.go", "main", "example.com/m/lib");
        r.go("cmd/b/main.go", "main", "example.com/m/other");
        r.go("lib/lib.go", "lib");
        r.go("other/other.go", "other");
    }

    private AffectedResult change(BuildTarget target) {
        r.commit("change");
        return engine.compute(new AffectedRequest(r.dir(), BaseSpec.revision(base), "HEAD", target, null));
    }

    private AffectedResult change() {
        return change(BuildTarget.linuxAmd64());
    }

    private static List<String> names(List<AffectedService> s) {
        return AffectedEngineTest.names(s);
    }

    @Test
    void buildConstraintsAreEvaluatedForTheTargetNotTheHost() {
        r.go("lib/lib_windows.go", "lib", "example.com/m/other");
        r.write("lib/tagged.go", "//go:build integration\n\npackage lib\n");
        base = r.commit("base");
        r.write("lib/lib_windows.go", "package lib\n\nconst W = 1\n");
        r.write("lib/tagged.go", "//go:build integration\n\npackage lib\n\nconst T = 1\n");
        assertThat(names(change().services())).isEmpty();
        AffectedRequest windows = new AffectedRequest(r.dir(), BaseSpec.revision(base), "HEAD",
                new BuildTarget("windows", "amd64", false, Set.of()), null);
        assertThat(names(engine.compute(windows).services())).containsExactly("a");
        AffectedRequest tagged = new AffectedRequest(r.dir(), BaseSpec.revision(base), "HEAD",
                new BuildTarget("linux", "amd64", false, Set.of("integration")), null);
        assertThat(engine.compute(tagged).services().get(0).reasons()).extracting(Reason::file).containsExactly("lib/tagged.go");
    }

    @Test
    void ignoredFilesAndDirsAffectNothing() {
        r.write("lib/gen.go", "//go:build ignore\n\npackage main\n");
        r.go("_scratch/main.go", "main");
        r.go(".hidden/x.go", "x");
        r.go("lib/testdata/prog/main.go", "main");
        base = r.commit("base");
        r.write("lib/gen.go", "//go:build ignore\n\npackage main\n\nfunc main() {}\n");
        r.go("_scratch/main.go", "main", "fmt");
        r.go(".hidden/x.go", "x", "fmt");
        AffectedResult res = change();
        assertThat(res.services()).isEmpty();
        assertThat(res.changedFiles()).hasSize(3);
        assertThat(engine.serviceDependencies(r.dir(), "HEAD", BuildTarget.linuxAmd64()).keySet())
                .containsExactlyInAnyOrder("cmd/a", "cmd/b");
    }

    @Test
    void cSourcesCountOnlyWithCgoWhileAssemblyAlwaysCounts() {
        r.write("lib/cgo.go", "package lib\n\n// #include \"x.h\"\nimport \"C\"\n");
        r.write("lib/x.c", "int x;\n");
        r.write("lib/x.h", "int x;\n");
        r.write("other/asm_amd64.s", "TEXT ·f(SB),0,$0\n");
        r.write("other/asm_arm64.s", "TEXT ·f(SB),0,$0\n");
        base = r.commit("base");
        r.write("lib/x.c", "int x = 1;\n");
        r.write("other/asm_amd64.s", "TEXT ·f(SB),0,$0\nRET\n");
        r.write("other/asm_arm64.s", "TEXT ·f(SB),0,$0\nRET\n");
        AffectedResult off = change();
        assertThat(names(off.services())).containsExactly("b");
        assertThat(off.services().get(0).reasons()).extracting(Reason::file).containsExactly("other/asm_amd64.s");
        AffectedResult on = engine.compute(new AffectedRequest(r.dir(), BaseSpec.revision(base), "HEAD",
                new BuildTarget("linux", "amd64", true, Set.of()), null));
        assertThat(names(on.services())).containsExactly("a", "b");
        assertThat(on.services().get(0).reasons()).extracting(Reason::file).containsExactly("lib/x.c");
    }

    @Test
    void cgoIncludeDirsOutsideThePackageCount() {
        r.write("lib/cgo.go", "package lib\n\n// #cgo CFLAGS: -I${SRCDIR}/../include\n// #include \"x.h\"\nimport \"C\"\n");
        r.write("include/x.h", "int x;\n");
        base = r.commit("base");
        r.write("include/x.h", "int x = 2;\n");
        assertThat(change().services()).isEmpty();
        AffectedResult on = engine.compute(new AffectedRequest(r.dir(), BaseSpec.revision(base), "HEAD",
                new BuildTarget("linux", "amd64", true, Set.of()), null));
        assertThat(names(on.services())).containsExactly("a");
    }

    @Test
    void embeddedFilesFollowGoEmbedRules() {
        r.write("lib/lib.go", "package lib\n\nimport \"embed\"\n\n//go:embed web\nvar web embed.FS\n\n//go:embed all:raw\nvar raw embed.FS\n");
        r.write("lib/web/index.html", "x");
        r.write("lib/web/.hidden", "x");
        r.write("lib/web/_draft.html", "x");
        r.write("lib/raw/.keep", "x");
        r.write("lib/notembedded.txt", "x");
        base = r.commit("base");
        r.write("lib/web/.hidden", "y");
        r.write("lib/web/_draft.html", "y");
        r.write("lib/notembedded.txt", "y");
        assertThat(change().services()).isEmpty();
        base = r.commit("noop");
        r.write("lib/raw/.keep", "y");
        r.write("lib/web/new.css", "y");
        AffectedResult res = change();
        assertThat(names(res.services())).containsExactly("a");
        assertThat(res.services().get(0).reasons()).extracting(Reason::file)
                .containsExactly("lib/raw/.keep", "lib/web/new.css");
    }

    @Test
    void testFilesAndTestdataOnlyAffectTests() {
        r.go("lib/lib_test.go", "lib_test", "example.com/m/lib");
        r.write("lib/testdata/golden.txt", "x");
        r.go("testutil/u.go", "testutil");
        r.go("other/other_test.go", "other", "example.com/m/testutil");
        base = r.commit("base");
        r.go("lib/lib_test.go", "lib_test", "example.com/m/lib", "fmt");
        r.write("lib/testdata/golden.txt", "y");
        r.go("testutil/u.go", "testutil", "fmt");
        AffectedResult res = change();
        assertThat(res.services()).isEmpty();
        assertThat(names(res.testAffected())).containsExactly("a", "b");
        assertThat(res.testAffected().get(0).reasons()).extracting(Reason::file)
                .containsExactly("lib/lib_test.go", "lib/testdata/golden.txt");
        assertThat(res.testAffected().get(1).reasons().get(0).chain())
                .containsExactly("example.com/m/testutil", "example.com/m/other (tests)", "example.com/m/cmd/b", "b");
    }

    @Test
    void deletedAndRenamedPackagesPropagateThroughTheBaseGraph() {
        r.go("gone/gone.go", "gone");
        r.go("lib/lib.go", "lib", "example.com/m/gone");
        base = r.commit("base");
        // the package disappears together with the import of it: the base graph still links it to a
        r.delete("gone/gone.go");
        r.go("lib/lib.go", "lib");
        AffectedResult res = change();
        assertThat(names(res.services())).containsExactly("a");
        assertThat(res.services().get(0).reasons()).extracting(Reason::file).contains("gone/gone.go", "lib/lib.go");
        base = r.commit("again");
        r.delete("other/other.go");
        r.go("other2/other.go", "other");
        r.go("cmd/b/main.go", "main", "example.com/m/other2");
        res = change();
        assertThat(names(res.services())).containsExactly("b");
        assertThat(res.changedFiles()).contains("other/other.go", "other2/other.go");
    }

    @Test
    void goLineChangeAffectsTheWholeModuleOnly() {
        r.write("svc/go.mod", "module example.com/svc\n\ngo 1.22\n");
        r.go("svc/cmd/s/main.go", "main");
        base = r.commit("base");
        r.write("go.mod", "module example.com/m\n\ngo 1.23\n");
        AffectedResult res = change();
        assertThat(names(res.services())).containsExactly("a", "b");
        assertThat(res.services().get(0).reasons()).extracting(Reason::file).containsOnly("go.mod");
        base = r.commit("noop");
        r.write("svc/go.mod", "module example.com/svc\n\ngo 1.22\n\ntoolchain go1.24.1\n");
        assertThat(names(change().services())).containsExactly("s");
    }

    @Test
    void requireChangeWithoutSourcesMarksOnlyPackagesImportingExternalModules() {
        r.write("go.mod", "module example.com/m\n\ngo 1.22\n\nrequire example.org/ext v1.0.0\n");
        r.go("lib/lib.go", "lib", "example.org/ext/x");
        base = r.commit("base");
        r.write("go.mod", "module example.com/m\n\ngo 1.22\n\nrequire example.org/ext v1.1.0\n");
        AffectedResult res = change();
        assertThat(names(res.services())).containsExactly("a");
        Reason why = res.services().get(0).reasons().get(0);
        assertThat(why.file()).isEqualTo("go.mod");
        assertThat(why.chain().get(0)).contains("example.org/ext v1.0.0 -> v1.1.0");
    }

    @Test
    void goSumOnlyCountsChangedHashesOfSelectedVersions() {
        r.write("go.mod", "module example.com/m\n\ngo 1.22\n\nrequire example.org/ext v1.0.0\n");
        r.write("go.sum", "example.org/ext v1.0.0 h1:aaa=\nexample.org/ext v1.0.0/go.mod h1:bbb=\n");
        r.go("lib/lib.go", "lib", "example.org/ext");
        base = r.commit("base");
        r.write("go.sum", "example.org/ext v0.9.0 h1:old=\nexample.org/ext v1.0.0 h1:aaa=\nexample.org/ext v1.0.0/go.mod h1:bbb=\n");
        assertThat(change().services()).isEmpty();
        base = r.commit("noop");
        r.write("go.sum", "example.org/ext v1.0.0 h1:ccc=\nexample.org/ext v1.0.0/go.mod h1:bbb=\n");
        AffectedResult res = change();
        assertThat(names(res.services())).containsExactly("a");
        assertThat(res.services().get(0).reasons().get(0).file()).isEqualTo("go.sum");
    }

    @Test
    void moduleCacheSourcesMakeGoModChangesExact() {
        Path modCache = tmp.resolve("_modcache");
        r.write("_modcache/example.org/ext@v1.0.0/go.mod", "module example.org/ext\n");
        r.write("_modcache/example.org/ext@v1.0.0/x/x.go", "package x\n");
        r.write("_modcache/example.org/ext@v1.0.0/y/y.go", "package y\n");
        r.write("_modcache/example.org/ext@v1.1.0/go.mod", "module example.org/ext\n");
        r.write("_modcache/example.org/ext@v1.1.0/x/x.go", "package x\n");
        r.write("_modcache/example.org/ext@v1.1.0/y/y.go", "package y\n");
        r.write("_modcache/example.org/other@v1.0.0/go.mod", "module example.org/other\n");
        r.write("_modcache/example.org/other@v1.0.0/o/o.go", "package o\n\nimport _ \"example.org/ext/y\"\n");
        r.write("go.mod", "module example.com/m\n\ngo 1.22\n\nrequire (\n\texample.org/ext v1.0.0\n\texample.org/other v1.0.0\n)\n");
        r.go("lib/lib.go", "lib", "example.org/ext/x");
        r.go("other/other.go", "other", "example.org/other/o");
        r.go("cmd/c/main.go", "main", "example.org/other/o");
        base = r.commit("base");
        r.write("go.mod", "module example.com/m\n\ngo 1.22\n\nrequire (\n\texample.org/ext v1.1.0\n\texample.org/other v1.0.0\n)\n");
        r.commit("bump");
        AffectedResult res = engine.compute(new AffectedRequest(r.dir(), BaseSpec.revision(base), "HEAD",
                BuildTarget.linuxAmd64(), modCache));
        assertThat(names(res.services())).containsExactly("a", "b", "c");
        assertThat(res.services().get(2).reasons().get(0).chain())
                .containsExactly("module example.org/ext v1.0.0 -> v1.1.0", "example.org/ext/y", "example.org/other/o",
                        "example.com/m/cmd/c", "c");
        assertThat(engine.serviceDependencies(r.dir(), "HEAD", BuildTarget.linuxAmd64()).get("cmd/c"))
                .containsExactly("example.com/m/cmd/c", "example.org/other/o");
    }

    @Test
    void vendoredModulesResolveFromVendorEvenWhenReplacedLocally() {
        r.write("go.mod", "module example.com/m\n\ngo 1.22\n\nrequire example.com/libs v0.0.0\n\nreplace example.com/libs => ./libs\n");
        r.write("libs/go.mod", "module example.com/libs\n\ngo 1.22\n");
        r.go("libs/log/log.go", "log");
        r.go("vendor/example.com/libs/log/log.go", "log");
        r.write("vendor/modules.txt", "# example.com/libs v0.0.0 => ./libs\n## explicit; go 1.22\nexample.com/libs/log\n# example.com/libs => ./libs\n");
        r.go("lib/lib.go", "lib", "example.com/libs/log");
        base = r.commit("base");
        r.go("libs/log/log.go", "log", "fmt");
        assertThat(change().services()).isEmpty();
        base = r.commit("only the original changed");
        r.go("vendor/example.com/libs/log/log.go", "log", "fmt");
        AffectedResult res = change();
        assertThat(names(res.services())).containsExactly("a");
        assertThat(res.services().get(0).reasons().get(0).chain()).containsExactly("example.com/libs/log",
                "example.com/m/lib", "example.com/m/cmd/a", "a");
        base = r.commit("vendored");
        r.write("vendor/modules.txt", "# example.com/libs v0.0.0 => ./libs\n## explicit; go 1.23\nexample.com/libs/log\n# example.com/libs => ./libs\n");
        res = change();
        assertThat(names(res.services())).containsExactly("a");
        assertThat(res.services().get(0).reasons().get(0).file()).isEqualTo("vendor/modules.txt");
    }

    @Test
    void nestedModulesAndLocalReplaceAcrossModules() {
        r.write("svc/go.mod", "module example.com/svc\n\ngo 1.22\n\nrequire example.com/m v0.0.0\n\nreplace example.com/m => ../\n");
        r.go("svc/cmd/s/main.go", "main", "example.com/m/lib", "example.com/svc/inner");
        r.go("svc/inner/i.go", "inner");
        base = r.commit("base");
        r.go("lib/lib.go", "lib", "fmt");
        assertThat(names(change().services())).containsExactly("a", "s");
        base = r.commit("noop");
        r.go("svc/inner/i.go", "inner", "fmt");
        AffectedResult res = change();
        assertThat(names(res.services())).containsExactly("s");
        assertThat(res.services().get(0).module()).isEqualTo("example.com/svc");
        assertThat(res.services().get(0).mainPackage()).isEqualTo("example.com/svc/cmd/s");
        // a main package at the root of its module
        base = r.commit("noop2");
        r.write("root/go.mod", "module example.com/root\n\ngo 1.22\n\nrequire example.com/m v0.0.0\n\nreplace example.com/m => ../\n");
        r.go("root/main.go", "main", "example.com/m/other");
        r.commit("root service");
        assertThat(engine.serviceDependencies(r.dir(), "HEAD", BuildTarget.linuxAmd64()).get("root"))
                .containsExactly("example.com/m/other", "example.com/root");
        base = r.commit("noop3");
        r.go("other/other.go", "other", "fmt");
        assertThat(names(change().services())).containsExactly("b", "root");
    }

    @Test
    void goWorkDecidesResolutionAndItsGoLineAffectsTheWorkspace() {
        r.write("go.work", "go 1.22\n\nuse (\n\t.\n\t./libs\n)\n");
        r.write("libs/go.mod", "module example.com/libs\n\ngo 1.22\n");
        r.go("libs/log/log.go", "log");
        r.go("lib/lib.go", "lib", "example.com/libs/log");
        base = r.commit("base");
        r.go("libs/log/log.go", "log", "fmt");
        AffectedResult res = change();
        assertThat(names(res.services())).containsExactly("a");
        base = r.commit("noop");
        r.write("go.work", "go 1.23\n\nuse (\n\t.\n\t./libs\n)\n");
        res = change();
        assertThat(names(res.services())).containsExactly("a", "b");
        assertThat(res.services().get(1).reasons().get(0).file()).isEqualTo("go.work");
    }

    @Test
    void dockerfileDockerignoreWatchedAndGlobalPaths() {
        r.write("cmd/a/Dockerfile", "FROM scratch\n");
        r.write("proto/a.proto", "syntax = \"proto3\";\n");
        r.write("gopipe.yaml", """
                services:
                  - name: alpha
                    path: cmd/a
                    watch: [proto/]
                globalPaths: [Makefile]
                excludeDirs: [tools/]
                """);
        r.go("tools/gen/main.go", "main");
        r.write("Makefile", "all:\n");
        base = r.commit("base");
        r.write("cmd/a/Dockerfile", "FROM scratch\nCOPY x /x\n");
        r.write("proto/a.proto", "syntax = \"proto3\";\n// x\n");
        r.write(".dockerignore", "*.md\n");
        r.go("tools/gen/main.go", "main", "fmt");
        AffectedResult res = change();
        assertThat(names(res.services())).containsExactly("alpha", "b");
        assertThat(res.services().get(0).reasons()).extracting(Reason::file)
                .containsExactly(".dockerignore", "cmd/a/Dockerfile", "proto/a.proto");
        assertThat(res.services().get(0).reasons().get(2).chain()).containsExactly("watched path proto/", "alpha");
        base = r.commit("noop");
        r.write("Makefile", "all: x\n");
        res = change();
        assertThat(res.all()).isTrue();
        assertThat(res.allReason()).contains("Makefile");
        assertThat(names(res.services())).containsExactly("alpha", "b");
    }

    @Test
    void dedicatedBuildContextCountsNonGoFiles() {
        r.write("gopipe.yaml", "services:\n  - path: cmd/b\n    context: cmd/b\n");
        r.write("cmd/b/config.yaml", "a: 1\n");
        base = r.commit("base");
        r.write("cmd/b/config.yaml", "a: 2\n");
        r.go("cmd/b/main_test.go", "main");
        AffectedResult res = change();
        assertThat(names(res.services())).containsExactly("b");
        assertThat(res.services().get(0).context()).isEqualTo("cmd/b");
        assertThat(res.services().get(0).reasons()).extracting(Reason::file).containsExactly("cmd/b/config.yaml");
    }

    @Test
    void serviceNamesCollideIntoTheirDirectories() {
        r.go("services/a/main.go", "main");
        base = r.commit("base");
        r.go("services/a/main.go", "main", "fmt");
        AffectedResult res = change();
        assertThat(names(res.services())).containsExactly("services-a");
        assertThat(engine.serviceDependencies(r.dir(), "HEAD", BuildTarget.linuxAmd64())).containsKey("cmd/a");
    }

    @Test
    void malformedGoModAtHeadIsATypedErrorNamingFileAndLine() {
        base = r.commit("base");
        r.write("go.mod", "module example.com/m\n\ngo 1.22\nrequire (\n");
        r.commit("broken");
        assertThatThrownBy(() -> engine.compute(new AffectedRequest(r.dir(), BaseSpec.revision(base))))
                .isInstanceOf(GoModException.class).hasMessageStartingWith("go.mod:4: unterminated require block");
    }

    @Test
    void malformedGoModAtBaseOnlyGivesAllWithTheReason() {
        r.write("go.work", "go 1.22\nuse .\nbogus\n");
        base = r.commit("base");
        r.delete("go.work");
        AffectedResult res = change();
        assertThat(res.all()).isTrue();
        assertThat(res.allReason()).contains("go.work:3");
    }

    @Test
    void parseCacheIsReusedAcrossCalls() {
        base = r.commit("base");
        r.go("lib/lib.go", "lib", "fmt");
        AffectedResult first = change();
        int size = cache.size();
        AffectedResult second = engine.compute(new AffectedRequest(r.dir(), BaseSpec.revision(base)));
        assertThat(cache.size()).isEqualTo(size).isPositive();
        assertThat(second).isEqualTo(first);
    }
}
