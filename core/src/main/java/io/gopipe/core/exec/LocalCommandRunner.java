package io.gopipe.core.exec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands as child processes of this JVM, in its environment plus the request's changes. The
 * one place in core that starts a process (a test over core's classes enforces that): the CLI, the
 * benchmarks and core's tests pass it in; the Jenkins plugin passes a Launcher-based runner instead,
 * because in a pipeline this JVM is often not where the build's tools are. It lives in core, not in
 * the CLI, because core's own tests (images, caches) run real {@code go} and {@code docker} through it.
 */
public final class LocalCommandRunner implements CommandRunner {

    @Override
    public CommandResult run(CommandRequest request) {
        ProcessBuilder pb = new ProcessBuilder(request.argv()).redirectErrorStream(true);
        if (request.workDir() != null) {
            pb.directory(request.workDir().toFile());
        }
        Map<String, String> env = pb.environment();
        request.unset().forEach(env::remove);
        env.putAll(request.env());
        OutputLines out = new OutputLines(request);
        long start = System.nanoTime();
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            // "error=2, No such file or directory" / "error=13, Permission denied": the shell's 127 / 126.
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            out.write((why + "\n").getBytes(StandardCharsets.UTF_8)); // Java's message names the program
            return new CommandResult(why.contains("error=13") ? 126 : CommandResult.NOT_FOUND, out.tail(),
                    elapsed(start), false);
        }
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // nothing to write anyway
        }
        Thread reader = new Thread(() -> pump(process.getInputStream(), out), "gopipe-output-" + request.program());
        reader.setDaemon(true);
        reader.start();
        boolean finished;
        try {
            finished = process.waitFor(request.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                kill(process);
                process.waitFor(5, TimeUnit.SECONDS);
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted while running " + request.program(), e);
        }
        return new CommandResult(finished ? process.exitValue() : -1, out.tail(), elapsed(start), !finished);
    }

    private static void pump(InputStream in, OutputLines out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process went away; what was read so far is what we report
        } finally {
            out.close();
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
