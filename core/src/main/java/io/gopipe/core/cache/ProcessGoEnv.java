package io.gopipe.core.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link GoEnv} that starts {@code go} in this JVM's own process table. The one place the cache
 * engine starts a process: an adapter that must run commands elsewhere (a pod's build container)
 * passes its own {@link GoEnv} to {@link CacheJob} instead.
 */
public final class ProcessGoEnv implements GoEnv {

    @Override
    public List<String> query(String goBinary, List<String> names) {
        String bin = goBinary == null || goBinary.isBlank() ? "go" : goBinary;
        List<String> cmd = new ArrayList<>(List.of(bin, "env"));
        cmd.addAll(names);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0) {
                throw new CacheException("'" + bin + " env' failed: " + out.lines().findFirst().orElse(""));
            }
            List<String> values = out.lines().map(String::strip).toList();
            if (values.size() != names.size()) {
                throw new CacheException("'" + bin + " env " + String.join(" ", names) + "' printed " + out);
            }
            return values;
        } catch (IOException e) {
            throw new CacheException("cannot run '" + bin + "' (is Go installed and on the PATH?): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CacheException("interrupted while running " + bin + " env", e);
        }
    }
}
