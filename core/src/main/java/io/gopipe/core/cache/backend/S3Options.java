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

    /**
     * These options with the keys every gopipe command takes from its environment,
     * {@code GOPIPE_S3_ACCESS_KEY} and {@code GOPIPE_S3_SECRET_KEY}, unless keys are already set;
     * unchanged when the environment has none (the default credentials chain then applies).
     */
    public S3Options withKeysFrom(java.util.Map<String, String> environment) {
        String access = environment.get("GOPIPE_S3_ACCESS_KEY");
        if (accessKey != null || access == null) {
            return this;
        }
        return new S3Options(endpoint, region, pathStyle, access, environment.get("GOPIPE_S3_SECRET_KEY"), conditionalWrites);
    }

    /** AWS defaults: default credentials and region chain, virtual-host addressing, conditional writes. */
    public static S3Options defaults() {
        return new S3Options(null, null, false, null, null, true);
    }
}
