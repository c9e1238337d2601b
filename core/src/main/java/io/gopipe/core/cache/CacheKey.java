package io.gopipe.core.cache;

import java.util.List;

/**
 * A key to save under and the keys to try on restore.
 *
 * @param key         exact key
 * @param restoreKeys prefixes tried in order after the exact key; the newest entry matching a prefix wins
 */
public record CacheKey(String key, List<String> restoreKeys) {

    public CacheKey {
        CacheKeys.check(key);
        restoreKeys = List.copyOf(restoreKeys);
        restoreKeys.forEach(CacheKeys::check);
    }
}
