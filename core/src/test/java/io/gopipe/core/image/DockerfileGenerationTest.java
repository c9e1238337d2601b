package io.gopipe.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerfileGenerationTest {

    private final GoDockerfileGenerator gen = new GoDockerfileGenerator();

    private static GoServiceSpec spec(Runtime runtime, boolean versionVar) {
        return new GoServiceSpec("orders", "services/orders", "cmd/orders", runtime, BaseImages.defaults(), 8080,
                List.of("--listen", ":8080"), null, versionVar ? "main.version" : null);
    }

    @Test
    void scratchImageIsStaticNonRootAndCarriesCertificatesAndZoneinfo() {
        String df = gen.multiStage(spec(Runtime.SCRATCH, true));
        assertThat(df).doesNotContain("# syntax=")
                .contains("FROM --platform=$BUILDPLATFORM docker.io/library/golang:1.24 AS build")
                .contains("CGO_ENABLED=0")
                .contains("go build -trimpath -buildvcs=false")
                .contains("-ldflags \"-s -w -X main.version=${VERSION}\" -o /rootfs/usr/local/bin/orders ./cmd/orders")
                .contains("WORKDIR /src/services/orders")
                .contains("cp \"$(go env GOROOT)/lib/time/zoneinfo.zip\" /rootfs/usr/local/share/zoneinfo.zip && GOOS=")
                .contains("--mount=type=cache,target=/go/pkg/mod")
                .contains("--mount=type=cache,target=/root/.cache/go-build")
                .contains("find /rootfs -exec touch -h -d \"@${SOURCE_DATE_EPOCH:-0}\" {} +")
                .contains("FROM --platform=$BUILDPLATFORM docker.io/library/golang:1.24 AS certs")
                .contains("FROM scratch")
                .contains("COPY --from=certs /rootfs/ /")
                .contains("COPY --from=build /rootfs/ /")
                .contains("ENV ZONEINFO=/usr/local/share/zoneinfo.zip")
                .contains("USER 65532:65532")
                .contains("EXPOSE 8080")
                .contains("ENTRYPOINT [\"/usr/local/bin/orders\",\"--listen\",\":8080\"]")
                .doesNotContain("{{").doesNotContain("from=gomodcache");
        // Only stamped files reach the image: every COPY into the runtime stage copies a /rootfs tree.
        String runtime = df.substring(df.indexOf("FROM scratch"));
        assertThat(runtime.lines().filter(l -> l.startsWith("COPY"))).allMatch(l -> l.endsWith("/rootfs/ /"));
    }

    @Test
    void withoutAVersionVariableNothingIsStampedAndTheCacheMountsAreTheParsersDefaults() {
        String df = gen.multiStage(spec(Runtime.DISTROLESS, false));
        assertThat(df).contains("-ldflags \"-s -w\" -o").doesNotContain("-X ")
                .contains("FROM gcr.io/distroless/static-debian12:nonroot")
                .doesNotContain("ca-certificates.crt").doesNotContain("zoneinfo");
        assertThat(GoCacheMounts.parse(df)).containsExactlyElementsOf(CacheMountSync.GENERATED);
    }

    @Test
    void packageOnlyDockerfileCopiesThePerPlatformRootTree() {
        String df = gen.packageOnly(spec(Runtime.ALPINE, false));
        assertThat(df).contains("FROM docker.io/library/alpine:3.21")
                .contains("ARG TARGETOS").contains("ARG TARGETARCH")
                .contains("COPY ${TARGETOS}_${TARGETARCH}/ /")
                .doesNotContain("go build").doesNotContain("AS build");
        assertThat(gen.packageOnly(spec(Runtime.SCRATCH, false))).contains("COPY --from=certs /rootfs/ /");
    }

    @Test
    void mirrorRewritesEveryBaseImage() {
        BaseImages m = BaseImages.defaults().withMirror("mirror.corp:5000/proxy/");
        assertThat(m.go()).isEqualTo("mirror.corp:5000/proxy/library/golang:1.24");
        assertThat(m.distroless()).isEqualTo("mirror.corp:5000/proxy/distroless/static-debian12:nonroot");
        assertThat(BaseImages.mirrored("alpine:3", "m")).isEqualTo("m/library/alpine:3");
        assertThat(BaseImages.mirrored("team/tool:1", "m")).isEqualTo("m/team/tool:1");
    }

    @Test
    void templateErrorsNameTheProblem() {
        assertThatThrownBy(() -> DockerfileTemplate.renderText("t", "FROM {{image}}", Map.of()))
                .hasMessageContaining("{{image}}");
        assertThatThrownBy(() -> DockerfileTemplate.renderText("t", "{{#a}}\nx\n", Map.of("a", true)))
                .hasMessageContaining("never closed");
        assertThat(DockerfileTemplate.renderText("t", "{{#a}}\nyes\n{{/a}}\n{{^a}}\nno\n{{/a}}\n", Map.of("a", false)))
                .isEqualTo("no\n");
    }

    @Test
    void specValidatesItsInputs() {
        assertThatThrownBy(() -> new GoServiceSpec("bad name", ".", "./x", null, null, null, null, null, null))
                .hasMessageContaining("service name");
        assertThatThrownBy(() -> new GoServiceSpec("a", ".", "./x", null, null, 70000, null, null, null))
                .hasMessageContaining("port 70000");
        assertThat(new GoServiceSpec("a", null, "cmd/a", null, null, null, null, null, null).mainPackage()).isEqualTo("./cmd/a");
        assertThatThrownBy(() -> new GoServiceSpec("a", ".", "./x", null, null, null, null, null, "version"))
                .hasMessageContaining("IMPORTPATH.name");
        assertThatThrownBy(() -> Runtime.parse("ubuntu")).hasMessageContaining("scratch, distroless, alpine");
    }
}
