package io.gopipe.core.cache;

import io.gopipe.core.cache.backend.CacheBackend;
import io.gopipe.core.cache.backend.LocalBackend;
import io.gopipe.core.cache.remote.RemoteBackend;
import io.gopipe.core.cache.remote.RemoteStoreServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The controller storage of the Jenkins plugin: an agent-side backend talking to a local store
 * through the byte-level protocol that Jenkins remoting carries. Same contract as every backend.
 */
class RemoteBackendTest extends CacheBackendContract {

    private Path store() {
        return work.resolve("store");
    }

    @Override
    CacheBackend newBackend() throws IOException {
        return new RemoteBackend(new RemoteStoreServer(new LocalBackend(store())), work.resolve("agent-staging"));
    }

    @Override
    CacheBackend newBackendSameStore() throws IOException {
        return newBackend();
    }

    @Override
    List<String> processBackendArgs() {
        // Other processes reach the same controller store directly, as other agents would through theirs.
        return List.of("local:" + store());
    }

    @Override
    String[] expectedWorkEntries(String... names) {
        String[] all = java.util.Arrays.copyOf(names, names.length + 2);
        all[names.length] = "store";
        all[names.length + 1] = "agent-staging";
        return all;
    }
}
