{{#scratch}}
# scratch has no files at all: bring the CA certificates, as a tree stamped with SOURCE_DATE_EPOCH
# (a plain COPY would create /etc/ssl/certs with the build's clock time).
FROM --platform=$BUILDPLATFORM {{certsImage}} AS certs
ARG SOURCE_DATE_EPOCH=0
RUN mkdir -p /rootfs/etc/ssl/certs && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ && \
    find /rootfs -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +

{{/scratch}}
FROM {{runtimeImage}}
ARG TARGETOS
ARG TARGETARCH
{{#scratch}}
COPY --from=certs /rootfs/ /
ENV ZONEINFO=/usr/local/share/zoneinfo.zip
{{/scratch}}
COPY {{rootfsFrom}} /
USER {{user}}
{{#hasPort}}
EXPOSE {{port}}
{{/hasPort}}
ENTRYPOINT {{entrypoint}}
