package io.gopipe.bench.affected;

import io.gopipe.core.affected.AffectedEngine;
import io.gopipe.core.affected.AffectedRequest;
import io.gopipe.core.affected.BaseSpec;
import io.gopipe.core.affected.BuildTarget;
import io.gopipe.core.affected.ParseCache;
import io.gopipe.core.report.Reporter;
import java.nio.file.Path;

/**
 * Profiling aid: computes one pair N times in one JVM with one shared parse cache and prints each
 * wall and CPU time. With -Djfr.out=FILE it records a JFR profile of every run but the first.
 *
 * <pre>java -cp gopipe-bench.jar io.gopipe.bench.affected.EngineLoop REPO BASE HEAD [N] [empty]</pre>
 */
public final class EngineLoop {

    private EngineLoop() {
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args[0]);
        int n = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        boolean empty = args.length > 4 && args[4].equals("empty");
        ParseCache cache = new ParseCache();
        String jfrOut = System.getProperty("jfr.out");
        jdk.jfr.Recording recording = null;
        for (int i = 0; i < n; i++) {
            if (i == 1 && jfrOut != null) {
                // Profile only the runs after the first: warm JIT (and warm cache unless "empty").
                recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
                recording.start();
            }
            if (empty) {
                cache = new ParseCache();
            }
            long cpu0 = CpuTime.process();
            long t0 = System.nanoTime();
            var r = new AffectedEngine(cache, Reporter.silent()).compute(new AffectedRequest(repo,
                BaseSpec.revision(args[1]), args[2], BuildTarget.linuxAmd64(), null));
            System.out.printf("run %d: %.3f s wall, %.3f s cpu (all threads), %d services, cache %d%n", i + 1,
                (System.nanoTime() - t0) / 1e9, (CpuTime.process() - cpu0) / 1e9, r.services().size(),
                cache.size());
        }
        if (recording != null) {
            recording.stop();
            recording.dump(Path.of(jfrOut));
        }
    }
}
