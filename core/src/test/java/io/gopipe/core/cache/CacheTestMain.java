package io.gopipe.core.cache;

import io.gopipe.core.cache.backend.CacheBackend;
import io.gopipe.core.cache.backend.CacheBackends;
import io.gopipe.core.cache.backend.S3Options;
import io.gopipe.core.report.Progress;
import io.gopipe.core.report.Reporter;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * A separate process for the multi-process tests:
 * {@code save|restore BACKEND KEY DIR [ENDPOINT ACCESS SECRET] [--hang-in TASKPREFIX]}. Prints the
 * save status (restore: HIT or MISS). With {@code --hang-in}, the first progress event of a task starting with that prefix
 * prints {@code HANGING} and blocks forever, so the parent can SIGKILL it in the middle of that step.
 */
public final class CacheTestMain {

    public static void main(String[] args) throws Exception {
        String backendSpec = args[1];
        String key = args[2];
        Path dir = Path.of(args[3]);
        S3Options s3 = S3Options.defaults();
        String hangIn = null;
        for (int i = 4; i < args.length; i++) {
            if (args[i].equals("--hang-in")) {
                hangIn = args[++i];
            } else if (args[i].equals("--s3")) {
                s3 = new S3Options(URI.create(args[i + 1]), "us-east-1", true, args[i + 2], args[i + 3], true);
                i += 3;
            }
        }
        String hang = hangIn;
        Reporter reporter = new Reporter() {
            @Override
            public void info(String message) {
            }

            @Override
            public void warn(String message) {
                System.out.println("WARN " + message);
            }

            @Override
            public void progress(Progress p) {
                if (hang != null && p.task().startsWith(hang)) {
                    System.out.println("HANGING");
                    System.out.flush();
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        CacheSettings settings = CacheSettings.defaults().withProgressInterval(java.time.Duration.ZERO);
        try (CacheBackend backend = CacheBackends.open(backendSpec, s3)) {
            CacheService service = new CacheService(backend, reporter, settings);
            CacheRequest request = new CacheRequest(CachePolicy.MOD, new CacheKey(key, List.of()), dir, null);
            if (args[0].equals("restore")) {
                System.out.println(service.restore(request).hit() ? "HIT" : "MISS");
            } else {
                SaveResult result = service.save(request);
                System.out.println("STATUS " + result.status());
            }
        }
        System.out.flush();
        System.exit(0);
    }
}
