# What users have today: one multi-stage Dockerfile, whole repository as context, `go build` with
# cache mounts (which never leave the builder) and a registry cache mode=max around it.
FROM 127.0.0.1:5000/gopipe/golang:1.24 AS build
WORKDIR /src
COPY . .
ARG MODULE_DIR=.
ARG MAIN=.
ARG VERSION=dev
WORKDIR /src/${MODULE_DIR}
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/app ${MAIN}

FROM 127.0.0.1:5000/gopipe/static:nonroot
COPY --from=build /out/app /usr/local/bin/app
ENTRYPOINT ["/usr/local/bin/app"]
