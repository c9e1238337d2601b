package io.gopipe.core.cache.backend;

import java.net.URI;

/**
 * How to reach an S3-compatible store.
 *
 * @param endpoint          endpoint override (MinIO, Ceph, s3proxy…), or null for AWS
 * @param region            region, or null for the default chain (falls back to us-east-1)
 * @param pathStyle         path-style addressing, which most non-AWS stores need
 * @param accessKey         explicit access key, or null for the default credentials chain
 * @param secretKey         explicit secret key
 * @param conditionalWrites the store honours {@code If-None-Match: *}; without it the manifest is
 *                          written after a check and verified by reading it back
 */
public record S3Options(URI endpoint, String region, boolean pathStyle, String accessKey, String secretKey,
                        boolean conditionalWrites) implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    @Override
    public String toString() {
        // never the secret: options travel to agents and end up in messages
        return "S3Options[endpoint=" + endpoint + ", region=" + region + ", pathStyle=" + pathStyle + ", accessKey="
                + (accessKey == null ? "null" : "****") + ", secretKey=" + (secretKey == null ? "null" : "****") + "]";
    }

    /** AWS defaults: default credentials and region chain, virtual-host addressing, conditional writes. */
    public static S3Options defaults() {
        return new S3Options(null, null, false, null, null, true);
    }
}
