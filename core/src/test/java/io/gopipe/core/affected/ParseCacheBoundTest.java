package io.gopipe.core.affected;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;

/** The parse cache an agent keeps for its whole life stays within its bound and keeps what is in use. */
class ParseCacheBoundTest {

    private static ObjectId id(int i) {
        return ObjectId.fromString(String.format("%040x", i + 1));
    }

    private static ScannedFile file(int i) {
        List<String> imports = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            imports.add("example.com/monorepo/internal/package" + i + "/sub" + k);
        }
        return new ScannedFile("pkg" + i, imports, null, List.of(), List.of(), List.of());
    }

    @Test
    void staysWithinItsBoundAndForgetsTheLeastRecentlyUsed() {
        long bound = 1 << 20;
        ParseCache cache = new ParseCache(bound);
        long one = ParseCache.estimate(id(0), file(0));
        int n = (int) (4 * bound / one); // four times what fits
        AtomicInteger scans = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            int f = i;
            cache.computeIfAbsent(ParseCache.key(id(i), true), () -> {
                scans.incrementAndGet();
                return file(f);
            });
            if (i % 100 == 0) {
                // file 0 is in use all the time: it must survive
                assertThat(cache.get(ParseCache.key(id(0), true))).isNotNull();
            }
            assertThat(cache.estimatedBytes()).isLessThanOrEqualTo(bound);
        }
        assertThat(scans.get()).isEqualTo(n);
        assertThat(cache.size()).isLessThan(n / 3).isGreaterThan((int) (bound / one) / 2);
        assertThat(cache.get(ParseCache.key(id(0), true))).isNotNull();
        assertThat(cache.get(ParseCache.key(id(1), true))).isNull(); // old and unused: gone
        assertThat(cache.get(ParseCache.key(id(n - 1), true))).isNotNull();

        // A forgotten file is scanned again, once.
        cache.computeIfAbsent(ParseCache.key(id(1), true), () -> {
            scans.incrementAndGet();
            return file(1);
        });
        assertThat(scans.get()).isEqualTo(n + 1);
    }

    @Test
    void theDefaultCacheIsBoundedToo() {
        ParseCache cache = new ParseCache();
        long one = ParseCache.estimate(id(0), file(0));
        int n = (int) (ParseCache.DEFAULT_MAX_BYTES / one) + 5_000;
        IntStream.range(0, n).parallel().forEach(i -> cache.computeIfAbsent(ParseCache.key(id(i), true), () -> file(i)));
        assertThat(cache.estimatedBytes()).isLessThanOrEqualTo(ParseCache.DEFAULT_MAX_BYTES);
        assertThat(cache.size()).isLessThan(n);
    }
}
