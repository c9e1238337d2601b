package io.gopipe.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parsers on output recorded from the real buildx 0.13 / dockerd 26 BuildKit of the test environment. */
class ProgressParsersTest {

    static String resource(String name) throws IOException {
        try (InputStream in = ProgressParsersTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static List<BuildStep> parse(ProgressParser p, String text) {
        text.lines().forEach(p::accept);
        return p.steps();
    }

    @Test
    void plainProgressOfAFirstBuildCountsExecutedAndCachedInstructions() throws IOException {
        List<BuildStep> steps = parse(new PlainProgressParser(), resource("buildx-plain-first-build.txt"));
        int[] counts = BuildResult.count(steps);
        assertThat(counts).containsExactly(4, 4);
        BuildStep goBuild = steps.stream().filter(s -> s.name().startsWith("[build 6/6] RUN")).findFirst().orElseThrow();
        assertThat(goBuild.cached()).isFalse();
        assertThat(goBuild.duration()).isEqualTo(Duration.ofMillis(5800));
        assertThat(steps).filteredOn(BuildStep::isFrom).hasSize(1);
        assertThat(steps).filteredOn(s -> s.name().equals("[build 2/6] WORKDIR /src")).singleElement()
                .extracting(BuildStep::cached).isEqualTo(true);
    }

    @Test
    void plainProgressRecordsAFailedCacheImportAsAnErrorOfItsVertex() throws IOException {
        List<BuildStep> steps = parse(new PlainProgressParser(), resource("buildx-plain-first-build.txt"));
        assertThat(steps).filteredOn(BuildStep::isCacheImport).hasSize(2);
        assertThat(steps).filteredOn(s -> s.isCacheImport() && s.error() != null).singleElement()
                .satisfies(s -> assertThat(s.error()).contains("orders-buildcache:main: not found"));
    }

    @Test
    void plainProgressOfAPrunedRebuildFromTheRegistryCacheIsAllCached() throws IOException {
        List<BuildStep> steps = parse(new PlainProgressParser(), resource("buildx-plain-pruned-rebuild.txt"));
        assertThat(BuildResult.count(steps)).containsExactly(8, 0);
        assertThat(steps).filteredOn(s -> s.name().equals("exporting cache to registry")).singleElement()
                .extracting(BuildStep::duration).isEqualTo(Duration.ofMillis(1100));
    }

    @Test
    void plainProgressKeepsTheErrorOfAFailedStep() {
        List<BuildStep> steps = parse(new PlainProgressParser(), """
                #7 [build 4/4] RUN go build -o /out/app ./cmd/app
                #7 0.512 cmd/app/main.go:5:2: undefined: fmt.Printn
                #7 ERROR: process "/bin/sh -c go build -o /out/app ./cmd/app" did not complete successfully: exit code: 1
                """);
        assertThat(steps).singleElement().satisfies(s -> {
            assertThat(s.error()).startsWith("process \"/bin/sh -c go build");
            assertThat(s.isInstruction()).isTrue();
            assertThat(s.cached()).isFalse();
        });
    }

    @Test
    void rawJsonIndentedAsBuildxWritesItGivesStepsWithTimings() throws IOException {
        List<BuildStep> steps = parse(new RawJsonProgressParser(), resource("buildx-rawjson-indented.txt"));
        assertThat(steps).filteredOn(BuildStep::isFrom).singleElement().satisfies(s ->
                assertThat(s.name()).startsWith("[1/3] FROM 127.0.0.1:5000/gopipe/busybox:latest@sha256:"));
        List<BuildStep> instructions = steps.stream().filter(s -> s.isInstruction() && !s.isFrom()).toList();
        assertThat(instructions).extracting(BuildStep::name)
                .containsExactlyInAnyOrder("[2/3] RUN echo hello > /hello", "[3/3] COPY a.txt /a.txt");
        assertThat(instructions).allSatisfy(s -> {
            assertThat(s.cached()).isFalse();
            assertThat(s.duration()).isPositive();
        });
        assertThat(steps).filteredOn(s -> s.isCacheImport() && s.error() != null).singleElement()
                .satisfies(s -> assertThat(s.error()).contains("bb-cache:main: not found"));
    }

    @Test
    void rawJsonOnePerLineAsBuildctlWritesItGivesTheSameSteps() throws IOException {
        List<BuildStep> indented = parse(new RawJsonProgressParser(), resource("buildx-rawjson-indented.txt"));
        List<BuildStep> compact = parse(new RawJsonProgressParser(), resource("buildctl-rawjson-compact.txt"));
        assertThat(compact).isEqualTo(indented);
    }

    @Test
    void rawJsonMarksCachedVerticesAndIgnoresNonJsonLines() {
        List<BuildStep> steps = parse(new RawJsonProgressParser(), """
                some banner line
                {"vertexes":[{"digest":"sha256:aa","name":"[build 2/3] COPY . .","started":"2026-01-01T10:00:00Z"}]}
                {"vertexes":[{"digest":"sha256:aa","name":"[build 2/3] COPY . .","started":"2026-01-01T10:00:00Z","completed":"2026-01-01T10:00:01.5+00:00"}]}
                {"vertexes":[{"digest":"sha256:bb","name":"[build 3/3] RUN go build","cached":true,"started":"2026-01-01T10:00:00Z","completed":"2026-01-01T10:00:00Z"}]}
                {"logs":[{"vertex":"sha256:aa","stream":1,"data":"e30=","timestamp":"2026-01-01T10:00:00Z"}]}
                """);
        assertThat(steps).containsExactly(
                new BuildStep("sha256:aa", "[build 2/3] COPY . .", Duration.ofMillis(1500), false, null),
                new BuildStep("sha256:bb", "[build 3/3] RUN go build", Duration.ZERO, true, null));
    }

    @Test
    void hitRatioIgnoresFromAndInternalVertices() {
        BuildResult r = new BuildResult("s", "buildx", BuildMode.DOCKERFILE, null, List.of(), false, List.of(), 3, 1,
                Duration.ZERO, 1, List.of());
        assertThat(r.hitRatio()).isEqualTo(0.75);
        assertThat(new BuildStep("#1", "[internal] load build context", Duration.ZERO, false, null).isInstruction()).isFalse();
        assertThat(new BuildStep("#2", "[stage-1 1/3] FROM scratch", Duration.ZERO, false, null).isFrom()).isTrue();
    }

    // Defect 2: a registry-cache hit that BuildKit fetches lazily shows a download, maybe no CACHED.
    @Test
    void aLazilyFetchedCachedLayerCountsAsCachedWithOrWithoutTheFlag() throws IOException {
        for (String fixture : List.of("buildx-plain-lazy-cached-layer.txt", "buildx-plain-lazy-no-cached-flag.txt")) {
            List<BuildStep> steps = parse(new PlainProgressParser(), resource(fixture));
            assertThat(BuildResult.count(steps)).as(fixture).containsExactly(1, 0);
        }
        List<BuildStep> raw = parse(new RawJsonProgressParser(), resource("buildx-rawjson-lazy-no-cached-flag.txt"));
        assertThat(BuildResult.count(raw)).containsExactly(1, 0);
    }

    @Test
    void aStepThatRanIsNotMistakenForALazyHit() throws IOException {
        String ran = String.join("\n", "#7 [2/3] COPY bin /usr/local/bin/x", "#7 DONE 0.3s",
                "#8 [3/3] RUN ./x --selftest", "#8 sha256:" + "a".repeat(64) + " 3.00MB / 3.00MB 0.1s done",
                "#8 0.215 ok", "#8 DONE 1.2s");
        List<BuildStep> steps = parse(new PlainProgressParser(), ran);
        assertThat(BuildResult.count(steps)).containsExactly(0, 2);
    }
}
