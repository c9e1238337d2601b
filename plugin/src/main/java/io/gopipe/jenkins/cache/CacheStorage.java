package io.gopipe.jenkins.cache;

import io.gopipe.core.cache.backend.CacheBackend;
import io.gopipe.core.cache.backend.LocalBackend;
import io.gopipe.core.cache.backend.S3Backend;
import io.gopipe.core.cache.backend.S3Options;
import io.gopipe.core.cache.remote.RemoteBackend;
import io.gopipe.core.cache.remote.RemoteStore;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;

/**
 * Where the agent finds cache entries, in a form that travels to it: a directory the agent mounts,
 * S3 (with the access key resolved on the controller), or the controller's own store through a
 * remoting proxy of {@link RemoteStore}.
 */
record CacheStorage(Kind kind, String directory, String s3Bucket, String s3Prefix, String s3Endpoint,
                    String s3Region, boolean s3PathStyle, String s3AccessKey, String s3SecretKey,
                    RemoteStore controllerStore) implements Serializable {

    enum Kind { CONTROLLER, DIRECTORY, S3 }

    /** Opens the backend on the agent; {@code stagingDir} holds archives on their way to the controller. */
    CacheBackend open(Path stagingDir) throws IOException {
        return switch (kind) {
            case DIRECTORY -> new LocalBackend(Path.of(directory));
            case S3 -> S3Backend.create(s3Bucket, s3Prefix == null ? "" : s3Prefix,
                    new S3Options(s3Endpoint == null ? null : URI.create(s3Endpoint), s3Region, s3PathStyle,
                            s3AccessKey, s3SecretKey, true));
            case CONTROLLER -> new RemoteBackend(controllerStore, stagingDir);
        };
    }

    @Override
    public String toString() {
        // Never the secret: this record ends up in exception messages and thread dumps.
        return "CacheStorage[" + kind + "]";
    }
}
