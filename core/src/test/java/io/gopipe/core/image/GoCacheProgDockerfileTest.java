package io.gopipe.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Dockerfile rewrite of the remote Go build cache (design b), on real-shaped Dockerfiles. */
class GoCacheProgDockerfileTest {

    static final String GO = "127.0.0.1:5000/gopipe/golang:1.24";

    @Test
    void onlyTheRunWithTheGoBuildCacheMountGetsGocacheprogAndTheBridgeStageComesFirst() {
        String user = String.join("\n",
                "# syntax=docker/dockerfile:1",
                "ARG GO_VERSION=1.24",
                "FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build",
                "WORKDIR /src",
                "RUN --mount=type=cache,target=/go/pkg/mod go mod download",
                "COPY . .",
                "RUN --mount=type=cache,target=/go/pkg/mod \\",
                "    # a comment inside the instruction",
                "    --mount=type=cache,target=/root/.cache/go-build \\",
                "    go build -o /out/app ./cmd/app && go vet ./...",
                "FROM gcr.io/distroless/static",
                "COPY --from=build /out/app /app",
                "");
        GoCacheProgDockerfile.Result r = GoCacheProgDockerfile.augment(user, GO);
        assertThat(r.runs()).isEqualTo(1);
        List<String> lines = r.dockerfile().lines().toList();
        assertThat(lines.get(0)).isEqualTo("# syntax=docker/dockerfile:1");
        assertThat(lines.get(1)).isEqualTo("ARG GO_VERSION=1.24");
        // The stage's image references an ARG: the bridge is built with the Go image, on the same platform.
        assertThat(lines).contains("FROM --platform=$BUILDPLATFORM " + GO + " AS " + GoCacheProgDockerfile.STAGE);
        assertThat(lines.indexOf("FROM --platform=$BUILDPLATFORM " + GO + " AS " + GoCacheProgDockerfile.STAGE))
                .isLessThan(lines.indexOf("FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build"));
        assertThat(lines).contains("RUN --mount=type=cache,target=/go/pkg/mod go mod download");
        String run = lines.stream().filter(l -> l.startsWith("RUN ") && l.contains("./cmd/app")).findFirst().orElseThrow();
        assertThat(run).contains("--mount=type=ssh,id=gopipe-gocache,target=/run/gopipe-gocache.sock,required=false,mode=0666",
                        "--mount=type=bind,from=gopipe-gocache-bridge,source=/out,target=/run/gopipe-gocache-bin",
                        "--mount=type=secret,id=gopipe-gocache-args", "--mount=type=cache,target=/root/.cache/go-build")
                .contains("export GOCACHEPROG=\"/run/gopipe-gocache-bin/relay -agent /run/gopipe-gocache.sock")
                .endsWith("fi; go build -o /out/app ./cmd/app && go vet ./...");
        assertThat(r.dockerfile()).contains("COPY <<'GOPIPE_SOURCE_END' /gopipe-src/bridge/main.go",
                "COPY <<'GOPIPE_SOURCE_END' /gopipe-src/relay/main.go");
    }

    @Test
    void aPlainImageOfTheRunsStageBuildsTheBridgeAndOtherFormsAreLeftAlone() {
        String user = String.join("\n",
                "FROM example.com/go:1.24 AS build",
                "ENV GOCACHE=/cache/go",
                "RUN --mount=type=cache,id=gc,target=/cache [\"go\", \"build\", \"./...\"]",
                "RUN --mount=type=cache,id=gc,target=/cache go build ./...",
                "");
        GoCacheProgDockerfile.Result r = GoCacheProgDockerfile.augment(user, GO);
        assertThat(r.runs()).isEqualTo(1);
        assertThat(r.skipped()).singleElement().satisfies(s -> assertThat(s).contains("[\"go\""));
        assertThat(r.dockerfile()).contains("FROM example.com/go:1.24 AS " + GoCacheProgDockerfile.STAGE + "\n");
    }

    @Test
    void aDockerfileWithoutAGoBuildCacheMountIsUnchanged() {
        String user = "FROM golang:1.24\nRUN go build ./...\n";
        GoCacheProgDockerfile.Result r = GoCacheProgDockerfile.augment(user, GO);
        assertThat(r.runs()).isZero();
        assertThat(r.dockerfile()).isEqualTo(user);
    }

    @Test
    void aNonRootUserGetsABridgeFolderOfItsOwnAndAReadableSecret() {
        String df = String.join("\n",
                "FROM " + GO + " AS base",
                "USER 1000:1001",
                "FROM base AS build",
                "RUN --mount=type=cache,target=/root/.cache/go-build,uid=1000 go build ./a",
                "USER app",
                "RUN --mount=type=cache,target=/root/.cache/go-build go build ./b",
                "USER root",
                "RUN --mount=type=cache,target=/root/.cache/go-build go build ./c",
                "");
        List<String> runs = GoCacheProgDockerfile.augment(df, GO).dockerfile().lines()
                .filter(l -> l.startsWith("RUN ") && l.contains("go build ./")).toList();
        assertThat(runs).hasSize(3);
        assertThat(runs.get(0)).as("USER inherited from the stage it is built on")
                .contains("--mount=type=cache,id=gopipe-gocache-bridge-dir-1000_1001,target=/run/gopipe-gocache-dir,mode=0777,uid=1000,gid=1001 ");
        assertThat(runs.get(1)).contains("--mount=type=cache,id=gopipe-gocache-bridge-dir-app,target=/run/gopipe-gocache-dir,mode=0777 ");
        assertThat(runs.get(2)).contains("--mount=type=cache,id=gopipe-gocache-bridge-dir,target=/run/gopipe-gocache-dir,mode=0777 ");
        assertThat(runs).allSatisfy(r -> assertThat(r).contains(
                "--mount=type=secret,id=gopipe-gocache-args,target=/run/gopipe-gocache-args,required=false,mode=0444 "));
    }

    /**
     * The direct link's rewrite: no ssh and no secret mount (either makes dockerd 26's BuildKit
     * checksum the step's whole root file system first), and a prefix that the real shell runs as
     * the RUN would: gopipe's FTP_PROXY value becomes the relay's variable and leaves the step's
     * environment; a user's own FTP_PROXY stays and GOCACHEPROG stays unset.
     */
    @Test
    void theDirectLinkRunHasNoSessionMountsAndItsPrefixTakesOnlyGopipesValue() throws Exception {
        String user = String.join("\n",
                "FROM " + GO + " AS build",
                "RUN --mount=type=cache,target=/root/.cache/go-build go build ./...",
                "");
        String run = GoCacheProgDockerfile.augment(user, GO, null, true).dockerfile().lines()
                .filter(l -> l.startsWith("RUN ") && l.endsWith("go build ./...")).findFirst().orElseThrow();
        assertThat(run).doesNotContain("type=ssh", "type=secret")
                .contains("--mount=type=bind,from=gopipe-gocache-bridge,source=/out,target=/run/gopipe-gocache-bin",
                        "--mount=type=cache,id=gopipe-gocache-bridge-dir", "--mount=type=cache,target=/root/.cache/go-build");
        String prefix = run.substring(run.indexOf("case "), run.lastIndexOf("go build ./..."));
        // The prefix in /bin/sh, with the bridge paths pointing at executables that exist.
        String script = prefix.replace(GoCacheProgDockerfile.BIN + "/relay ]", "/bin/sh ]")
                .replace(GoCacheProgDockerfile.BIN + "/bridge ]", "/bin/sh ]")
                + "echo \"prog=${GOCACHEPROG:-} direct=${GOPIPE_GOCACHE_DIRECT:-} ftp=${FTP_PROXY:-}/${ftp_proxy:-}\"";
        String gopipe = DirectGoCacheLink.MAGIC + " tcp%3A127.0.0.1%3A4711 abc -prefetch-key%3Dk";
        assertThat(sh(script, gopipe)).startsWith("prog=" + GoCacheProgDockerfile.BIN + "/relay -direct-env GOPIPE_GOCACHE_DIRECT")
                .endsWith(" direct=" + gopipe + " ftp=/");
        assertThat(sh(script, "ftp://proxy.example:21")).isEqualTo("prog= direct= ftp=ftp://proxy.example:21/ftp://proxy.example:21");
    }

    /** A RUN with a network of its own (here none) cannot reach a loopback port: it keeps the tunnel. */
    @Test
    void aRunWithItsOwnNetworkKeepsTheTunnelBesideADirectOne() {
        String user = String.join("\n",
                "FROM " + GO + " AS build",
                "RUN --network=none --mount=type=cache,target=/root/.cache/go-build go build ./cmd/a",
                "RUN --network=host --mount=type=cache,target=/root/.cache/go-build go build ./cmd/b",
                "RUN --mount=type=cache,target=/root/.cache/go-build go build ./cmd/c",
                "");
        GoCacheProgDockerfile.Result r = GoCacheProgDockerfile.augment(user, GO, null, true);
        assertThat(r.runs()).isEqualTo(3);
        assertThat(r.directRuns()).isEqualTo(2);
        assertThat(r.usesTunnel()).isTrue();
        List<String> runs = r.dockerfile().lines().filter(l -> l.startsWith("RUN ") && l.contains("go build ./cmd/")).toList();
        assertThat(runs.get(0)).contains("--network=none", "type=ssh", "type=secret", "-agent /run/gopipe-gocache.sock");
        assertThat(runs.get(1)).doesNotContain("type=ssh", "type=secret").contains("-direct-env GOPIPE_GOCACHE_DIRECT");
        assertThat(runs.get(2)).doesNotContain("type=ssh", "type=secret").contains("-direct-env GOPIPE_GOCACHE_DIRECT");
        assertThat(GoCacheProgDockerfile.augment(user, GO, null, false).directRuns()).isZero();
    }

    /** Runs {@code script} in /bin/sh with FTP_PROXY and ftp_proxy set as BuildKit sets proxy args. */
    private static String sh(String script, String ftpProxy) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true);
        pb.environment().remove("GOCACHEPROG");
        pb.environment().put("FTP_PROXY", ftpProxy);
        pb.environment().put("ftp_proxy", ftpProxy);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }
}
