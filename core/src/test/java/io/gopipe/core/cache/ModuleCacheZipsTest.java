package io.gopipe.core.cache;

import io.gopipe.core.cache.backend.LocalBackend;
import io.gopipe.core.report.Reporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The zips-only module cache ({@link ModuleLayout#ZIPS}) with the real Go 1.24: a module cache
 * filled by {@code go} from a directory proxy the test writes (no network), saved zips-only,
 * restored into a fresh GOMODCACHE; {@code go build} then works offline ({@code GOPROXY=off}),
 * extracts only the modules the build imports, and gives the identical binary.
 */
class ModuleCacheZipsTest {

    private static final String GO = "/usr/lib/go-1.24/bin/go";

    @TempDir
    Path tmp;

    @Test
    void zipsOnlyEntryBuildsOfflineWithTheIdenticalBinaryAndGoExtractsOnlyWhatTheBuildNeeds() throws Exception {
        Path proxy = tmp.resolve("proxy");
        module(proxy, "example.com/alpha", "v1.2.0", Map.of("greet/greet.go",
                "package greet\n\nfunc Hello() string { return \"hello from alpha\" }\n"));
        module(proxy, "example.com/Beta", "v0.3.1", Map.of("calc/calc.go",
                "package calc\n\n// Twice doubles.\nfunc Twice(x int) int { return 2 * x }\n", "README.md", "beta\n"));
        module(proxy, "example.com/unused", "v1.0.0", Map.of("u/u.go", "package u\n\nfunc U() {}\n"));
        Path svc = tmp.resolve("svc");
        Files.createDirectories(svc);
        Files.writeString(svc.resolve("go.mod"), "module example.com/svc\n\ngo 1.21\n\nrequire (\n"
                + "\texample.com/Beta v0.3.1\n\texample.com/alpha v1.2.0\n\texample.com/unused v1.0.0\n)\n");
        Files.writeString(svc.resolve("main.go"), "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/Beta/calc\"\n"
                + "\t\"example.com/alpha/greet\"\n)\n\nfunc main() { fmt.Println(greet.Hello(), calc.Twice(21)) }\n");

        Path filled = tmp.resolve("modcache-filled");
        go(svc, filled, "file://" + proxy, "mod", "tidy");
        go(svc, filled, "file://" + proxy, "mod", "download", "all", "example.com/unused@v1.0.0");
        Path first = tmp.resolve("first.bin");
        go(svc, filled, "off", "build", "-trimpath", "-o", first.toString(), ".");
        assertThat(filled.resolve("example.com/alpha@v1.2.0/greet/greet.go")).exists();
        assertThat(filled.resolve("example.com/unused@v1.0.0")).as("go mod download extracts what it downloads").exists();

        Path store = tmp.resolve("store");
        Files.createDirectories(store);
        CacheService service = new CacheService(new LocalBackend(store), Reporter.silent(), CacheSettings.defaults());
        CacheKey key = new CacheKey("gomod-zips", List.of());
        SaveResult saved = service.save(new CacheRequest(CachePolicy.MOD, key, filled, null, ModuleLayout.ZIPS));
        assertThat(saved.status()).isEqualTo(SaveResult.Status.SAVED);

        Path fresh = tmp.resolve("modcache-fresh");
        RestoreResult restored = service.restore(new CacheRequest(CachePolicy.MOD, key, fresh, null, ModuleLayout.ZIPS));
        assertThat(restored.hit()).isTrue();
        try (Stream<Path> top = Files.list(fresh)) {
            assertThat(top.map(p -> p.getFileName().toString())).containsExactly("cache");
        }
        try (Stream<Path> all = Files.walk(fresh)) {
            List<String> names = all.filter(Files::isRegularFile).map(p -> fresh.relativize(p).toString()).toList();
            assertThat(names).allMatch(n -> n.startsWith("cache/download/")).noneMatch(n -> n.endsWith(".lock"))
                    .contains("cache/download/example.com/!beta/@v/v0.3.1.zip", "cache/download/example.com/!beta/@v/v0.3.1.mod",
                            "cache/download/example.com/!beta/@v/v0.3.1.info", "cache/download/example.com/!beta/@v/v0.3.1.ziphash");
            assertThat(restored.files()).isEqualTo(names.size());
        }

        Path second = tmp.resolve("second.bin");
        go(svc, fresh, "off", "build", "-trimpath", "-o", second.toString(), ".");
        assertThat(Files.readAllBytes(second)).as("identical binary from the zips-only cache").isEqualTo(Files.readAllBytes(first));
        assertThat(fresh.resolve("example.com/alpha@v1.2.0/greet/greet.go")).as("Go extracted what the build imports").exists();
        assertThat(fresh.resolve("example.com/!beta@v0.3.1/calc/calc.go")).exists();
        assertThat(fresh.resolve("example.com/unused@v1.0.0")).as("and nothing else").doesNotExist();

        // The full-tree layout of the same cache restores every extracted module.
        CacheKey treeKey = new CacheKey("gomod-tree", List.of());
        service.save(new CacheRequest(CachePolicy.MOD, treeKey, filled, null, ModuleLayout.TREE));
        Path tree = tmp.resolve("modcache-tree");
        assertThat(service.restore(new CacheRequest(CachePolicy.MOD, treeKey, tree, null, ModuleLayout.TREE)).hit()).isTrue();
        assertThat(tree.resolve("example.com/unused@v1.0.0/u/u.go")).exists();
        assertThat(restored.files()).isLessThan(service.restore(new CacheRequest(CachePolicy.MOD, treeKey,
                tmp.resolve("modcache-tree2"), null, ModuleLayout.TREE)).files());
    }

    @Test
    void aDirectoryWithoutADownloadCacheIsSavedWholeInTheZipsLayout() throws Exception {
        Path mod = tmp.resolve("not-from-go");
        TestTrees.write(mod.resolve("example.com/m@v1.0.0/m.go"), "package m\n".getBytes(), 0444, 1_600_000_000L);
        Path store = tmp.resolve("store");
        Files.createDirectories(store);
        CacheService service = new CacheService(new LocalBackend(store), Reporter.silent(), CacheSettings.defaults());
        CacheKey key = new CacheKey("gomod-nodl", List.of());
        SaveResult saved = service.save(new CacheRequest(CachePolicy.MOD, key, mod, null, ModuleLayout.ZIPS));
        assertThat(saved.status()).isEqualTo(SaveResult.Status.SAVED);
        assertThat(saved.files()).isEqualTo(1);
    }

    /** Writes one module version into a GOPROXY directory: list, .info, .mod and the module zip. */
    private static void module(Path proxy, String path, String version, Map<String, String> files) throws IOException {
        Path dir = proxy.resolve(escape(path)).resolve("@v");
        Files.createDirectories(dir);
        String goMod = "module " + path + "\n\ngo 1.21\n";
        Files.writeString(dir.resolve("list"), version + "\n");
        Files.writeString(dir.resolve(version + ".info"), "{\"Version\":\"" + version + "\",\"Time\":\"2025-01-02T03:04:05Z\"}");
        Files.writeString(dir.resolve(version + ".mod"), goMod);
        Map<String, String> all = new LinkedHashMap<>();
        all.put("go.mod", goMod);
        all.putAll(files);
        try (OutputStream out = Files.newOutputStream(dir.resolve(version + ".zip")); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, String> f : all.entrySet()) {
                zip.putNextEntry(new ZipEntry(path + "@" + version + "/" + f.getKey()));
                zip.write(f.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
    }

    private static String escape(String path) {
        StringBuilder sb = new StringBuilder();
        for (char c : path.toCharArray()) {
            if (Character.isUpperCase(c)) {
                sb.append('!').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private void go(Path dir, Path modCache, String goproxy, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(GO);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("GOMODCACHE", modCache.toString());
        env.put("GOPROXY", goproxy);
        env.put("GOFLAGS", "-mod=mod");
        env.put("GOSUMDB", "off");
        env.put("GONOSUMDB", "*");
        env.put("GOTOOLCHAIN", "local");
        env.put("GOWORK", "off");
        env.put("GOENV", "off");
        env.put("GOPATH", tmp.resolve("gopath").toString());
        env.put("GOCACHE", Path.of(System.getProperty("java.io.tmpdir"), "gopipe-test-gocache-go1.24").toString());
        env.put("CGO_ENABLED", "0");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("go " + String.join(" ", args)).isTrue();
        assertThat(p.exitValue()).as("go " + String.join(" ", args) + " in " + dir + " with GOMODCACHE=" + modCache
                + ", GOPROXY=" + goproxy + ":\n" + output).isZero();
    }
}
