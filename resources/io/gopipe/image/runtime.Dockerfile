FROM {{runtimeImage}}
ARG TARGETOS
ARG TARGETARCH
{{#scratch}}
# scratch has no files at all: bring CA certificates and the Go zoneinfo database.
COPY --from={{certsImage}} /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY {{zoneinfoFrom}} /usr/local/share/zoneinfo.zip
ENV ZONEINFO=/usr/local/share/zoneinfo.zip
{{/scratch}}
COPY {{binaryFrom}} /usr/local/bin/{{binary}}
USER {{user}}
{{#hasPort}}
EXPOSE {{port}}
{{/hasPort}}
ENTRYPOINT {{entrypoint}}
