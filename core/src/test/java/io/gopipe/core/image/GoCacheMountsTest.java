package io.gopipe.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Finding the Go cache mounts of a user's Dockerfile, so the engine can fill them. */
class GoCacheMountsTest {

    @Test
    void defaultTargetsExplicitIdsEnvOverridesAndParentFoldersAreFound() {
        String df = """
                # syntax is the builder's own
                FROM golang:1.24 AS build
                ENV GOPATH=/gopath
                WORKDIR /src
                RUN --mount=type=cache,target=/root/.cache \\
                    # a comment inside the instruction
                    --mount=type=cache,id=mods,target=/gopath/pkg/mod,sharing=locked \\
                    --mount=type=bind,source=.,target=/src \\
                    --mount=type=cache,target=/var/cache/apt \\
                    go build -o /out/app ./cmd/app
                RUN --mount=type=cache,target=/root/.cache go test ./...
                """;
        assertThat(GoCacheMounts.parse(df)).containsExactly(
                new GoCacheMounts.Mount(GoCacheMounts.Kind.GOCACHE, "/root/.cache", "go-build", null, null),
                new GoCacheMounts.Mount(GoCacheMounts.Kind.GOMODCACHE, "mods", "", null, null));
    }

    @Test
    void aDockerfileWithoutGoCacheMountsHasNone() {
        assertThat(GoCacheMounts.parse("FROM golang\nCOPY . .\nRUN go build ./...\n")).isEmpty();
        // a cache seeded from another stage has its own cache key: it cannot be filled
        assertThat(GoCacheMounts.parse("FROM golang\nRUN --mount=type=cache,from=seed,target=/root/.cache/go-build go build\n"))
                .isEmpty();
        assertThat(GoCacheMounts.parse("FROM golang\nENV GOCACHE /c\nRUN --mount=type=cache,dst=/c/ go build\n"))
                .isEqualTo(List.of(new GoCacheMounts.Mount(GoCacheMounts.Kind.GOCACHE, "/c", "", null, null)));
    }
}
