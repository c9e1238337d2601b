package io.gopipe.core.cache.backend;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** The S3 client settings every gopipe store shares: endpoint, region, path style, credentials, checksums. */
public final class S3Clients {

    private S3Clients() {
    }

    /**
     * A client builder configured from {@code options}; callers add their HTTP client and timeouts.
     * Without an access key the SDK's default chain is used (environment, profile, instance role).
     */
    public static S3ClientBuilder builder(S3Options options) {
        S3ClientBuilder b = S3Client.builder()
                .forcePathStyle(options.pathStyle())
                // Third-party stores differ in checksum support; our own hashes cover integrity.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (options.endpoint() != null) {
            b.endpointOverride(options.endpoint());
        }
        String region = options.region();
        if (region == null || region.isBlank()) {
            region = System.getenv("AWS_REGION") != null ? System.getenv("AWS_REGION") : "us-east-1";
        }
        b.region(Region.of(region));
        if (options.accessKey() != null && !options.accessKey().isBlank()) {
            b.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(options.accessKey(), options.secretKey() == null ? "" : options.secretKey())));
        } else {
            b.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return b;
    }
}
