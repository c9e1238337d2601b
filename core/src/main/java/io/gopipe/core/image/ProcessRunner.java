package io.gopipe.core.image;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Runs one external command, streaming its combined output line by line. */
public final class ProcessRunner {

    private static final int TAIL_LINES = 40;

    /**
     * Runs {@code argv} and waits for it.
     *
     * @param argv    the command and its arguments
     * @param env     variables added to (or, with a null value, removed from) the inherited environment
     * @param workDir working directory, or null for the current one
     * @param timeout how long it may run before it is killed
     * @param masker  hides secrets in every line before it reaches {@code lines} or the tail
     * @param lines   receives each masked output line
     */
    public ProcessResult run(List<String> argv, Map<String, String> env, Path workDir, Duration timeout,
                             SecretMasker masker, Consumer<String> lines) {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        long start = System.nanoTime();
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new ImageException("cannot run " + argv.get(0) + ": " + masker.mask(e.getMessage())
                    + " (is it installed and on PATH?)", e);
        }
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // nothing to write anyway
        }
        Deque<String> tail = new ArrayDeque<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    String masked = masker.mask(line);
                    synchronized (tail) {
                        tail.addLast(masked);
                        if (tail.size() > TAIL_LINES) {
                            tail.removeFirst();
                        }
                    }
                    lines.accept(masked);
                }
            } catch (IOException ignored) {
                // the process went away; what we read so far is what we report
            }
        }, "gopipe-output-" + argv.get(0));
        reader.setDaemon(true);
        reader.start();
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted while running " + argv.get(0), e);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        List<String> tailCopy;
        synchronized (tail) {
            tailCopy = new ArrayList<>(tail);
        }
        return new ProcessResult(finished ? process.exitValue() : -1, tailCopy, elapsed, !finished);
    }
}
