package io.gopipe.jenkins.cache;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import hudson.FilePath;
import hudson.model.Run;
import io.gopipe.core.cache.CacheStore;
import io.gopipe.core.cache.backend.S3Options;
import io.gopipe.jenkins.config.GopipeGlobalConfiguration;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * The admin's storage choice as a {@link CacheStore} the agent can open, resolved on the controller
 * for one call (secrets and channel proxies are never kept). A choice that cannot be used becomes an
 * unavailable store, so the engine's one policy decides: a warning and a miss, or failOnError.
 */
final class CacheStores {

    private static final String WHERE = " (Manage Jenkins → System → gopipe)";

    private CacheStores() {
    }

    /**
     * @param onAgent   any file on the agent, for its channel
     * @param stagingDir where the agent stages archives for the controller's store
     */
    static CacheStore resolve(GopipeGlobalConfiguration config, FilePath onAgent, Path stagingDir, Run<?, ?> run)
            throws InterruptedException {
        switch (config.getCacheBackend()) {
            case DIRECTORY:
                if (config.getCacheDirectory() == null) {
                    return CacheStore.unavailable("cache storage is 'Shared directory' but no directory is configured" + WHERE);
                }
                // never created here: a share that is not mounted must not become a folder on the agent's disk
                return CacheStore.at("local:" + config.getCacheDirectory(), null, false);
            case S3:
                return s3(config, run);
            case CONTROLLER:
            default:
                try {
                    // namespaces, read-only proxy and key checks are decided here on the controller (ControllerCacheStore)
                    return CacheStore.remote(ControllerCacheStore.export(onAgent.getChannel(), run), stagingDir.toString());
                } catch (IOException e) {
                    return CacheStore.unavailable("the controller's cache store cannot be opened: " + e.getMessage());
                }
        }
    }

    private static CacheStore s3(GopipeGlobalConfiguration config, Run<?, ?> run) {
        if (config.getS3Bucket() == null) {
            return CacheStore.unavailable("cache storage is S3 but no bucket is configured" + WHERE);
        }
        String access = null;
        String secret = null;
        if (config.getS3CredentialsId() != null) {
            StandardUsernamePasswordCredentials c = CredentialsProvider.findCredentialById(
                    config.getS3CredentialsId(), StandardUsernamePasswordCredentials.class, run);
            if (c == null) {
                return CacheStore.unavailable("S3 credentials '" + config.getS3CredentialsId()
                        + "' not found or not a username/password (access key id / secret key)" + WHERE);
            }
            CredentialsProvider.track(run, c);
            access = c.getUsername();
            secret = c.getPassword().getPlainText();
        }
        URI endpoint = config.getS3Endpoint() == null ? null : URI.create(config.getS3Endpoint());
        String prefix = config.getS3Prefix() == null ? "" : config.getS3Prefix();
        return CacheStore.at("s3://" + config.getS3Bucket() + "/" + prefix,
                new S3Options(endpoint, config.getS3Region(), config.isS3PathStyle(), access, secret, true), false);
    }
}
