package io.gopipe.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerfileGenerationTest {

    private final GoDockerfileGenerator gen = new GoDockerfileGenerator();

    private static GoServiceSpec spec(Runtime runtime, boolean feed) {
        return new GoServiceSpec("orders", "services/orders", "cmd/orders", runtime, BaseImages.defaults(), 8080,
                List.of("--listen", ":8080"), null, feed);
    }

    @Test
    void scratchImageIsStaticNonRootAndCarriesCertificatesAndZoneinfo() {
        String df = gen.multiStage(spec(Runtime.SCRATCH, false));
        assertThat(df).doesNotContain("# syntax=")
                .contains("FROM --platform=$BUILDPLATFORM docker.io/library/golang:1.24 AS build")
                .contains("CGO_ENABLED=0")
                .contains("go build -trimpath")
                .contains("-ldflags \"-s -w -X main.version=${VERSION}\" -o /out/orders ./cmd/orders")
                .contains("WORKDIR /src/services/orders")
                .contains("mkdir -p /out && cp \"$(go env GOROOT)/lib/time/zoneinfo.zip\" /out/zoneinfo.zip && GOOS=")
                .contains("--mount=type=cache,target=/go/pkg/mod")
                .contains("--mount=type=cache,target=/root/.cache/go-build")
                .contains("FROM scratch")
                .contains("COPY --from=docker.io/library/golang:1.24 /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt")
                .contains("COPY --from=build /out/zoneinfo.zip /usr/local/share/zoneinfo.zip")
                .contains("ENV ZONEINFO=/usr/local/share/zoneinfo.zip")
                .contains("USER 65532:65532")
                .contains("EXPOSE 8080")
                .contains("ENTRYPOINT [\"/usr/local/bin/orders\",\"--listen\",\":8080\"]")
                .doesNotContain("{{").doesNotContain("from=gomodcache");
    }

    @Test
    void fedCachesAreBindMountedFromNamedContexts() {
        String df = gen.multiStage(spec(Runtime.DISTROLESS, true));
        assertThat(df).contains("--mount=type=bind,from=gomodcache,target=/go/pkg/mod,rw")
                .contains("--mount=type=bind,from=gocache,target=/root/.cache/go-build,rw")
                .doesNotContain("type=cache")
                .contains("FROM gcr.io/distroless/static-debian12:nonroot")
                .doesNotContain("ca-certificates.crt").doesNotContain("zoneinfo");
    }

    @Test
    void packageOnlyDockerfileCopiesThePerPlatformBinary() {
        String df = gen.packageOnly(spec(Runtime.ALPINE, false));
        assertThat(df).contains("FROM docker.io/library/alpine:3.21")
                .contains("ARG TARGETOS").contains("ARG TARGETARCH")
                .contains("COPY ${TARGETOS}_${TARGETARCH}/orders /usr/local/bin/orders")
                .doesNotContain("go build").doesNotContain("AS build");
        assertThat(gen.packageOnly(spec(Runtime.SCRATCH, false))).contains("COPY zoneinfo.zip /usr/local/share/zoneinfo.zip");
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
        assertThatThrownBy(() -> new GoServiceSpec("bad name", ".", "./x", null, null, null, null, null, false))
                .hasMessageContaining("service name");
        assertThatThrownBy(() -> new GoServiceSpec("a", ".", "./x", null, null, 70000, null, null, false))
                .hasMessageContaining("port 70000");
        assertThat(new GoServiceSpec("a", null, "cmd/a", null, null, null, null, null, false).mainPackage()).isEqualTo("./cmd/a");
        assertThatThrownBy(() -> Runtime.parse("ubuntu")).hasMessageContaining("scratch, distroless, alpine");
    }
}
