package io.gopipe.core.cache;

import io.gopipe.core.cache.backend.CacheBackend;
import io.gopipe.core.cache.backend.LocalBackend;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

class LocalBackendTest extends CacheBackendContract {

    private Path store() {
        return work.resolve("store");
    }

    @Override
    CacheBackend newBackend() throws IOException {
        return new LocalBackend(store());
    }

    @Override
    CacheBackend newBackendSameStore() throws IOException {
        return new LocalBackend(store());
    }

    @Override
    List<String> processBackendArgs() {
        return List.of("local:" + store());
    }

    @Override
    String[] expectedWorkEntries(String... names) {
        String[] all = java.util.Arrays.copyOf(names, names.length + 1);
        all[names.length] = "store";
        return all;
    }
}
