package io.gopipe.bench.affected;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time (user + sys) of this JVM and of child processes. On a machine shared with other jobs wall
 * times swing a lot; CPU time shows the work done, so the bench reports both.
 */
final class CpuTime {

    private static final Path TIME = Path.of("/usr/bin/time");

    private CpuTime() {
    }

    /** CPU time of every thread of this process so far, in ns. */
    static long process() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The command, wrapped in /usr/bin/time writing "user sys" to out when that tool exists. */
    static List<String> timed(Path out, String... cmd) {
        List<String> full = new ArrayList<>();
        if (Files.isExecutable(TIME)) {
            full.addAll(List.of(TIME.toString(), "-f", "%U %S", "-o", out.toString()));
        }
        full.addAll(List.of(cmd));
        return full;
    }

    /** The user + sys seconds written by {@link #timed}, in ns; -1 when unavailable. */
    static long read(Path out) {
        try {
            if (!Files.exists(out)) {
                return -1;
            }
            String[] f = Files.readString(out).trim().split("\\s+");
            String[] last = f.length >= 2 ? new String[] {f[f.length - 2], f[f.length - 1]} : f;
            double s = 0;
            for (String x : last) {
                s += Double.parseDouble(x);
            }
            return (long) (s * 1e9);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
