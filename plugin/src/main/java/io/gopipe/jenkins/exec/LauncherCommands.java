package io.gopipe.jenkins.exec;

import hudson.EnvVars;
import hudson.FilePath;
import hudson.Launcher;
import hudson.Proc;
import hudson.remoting.VirtualChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import jenkins.util.Timer;

/**
 * The controller side of {@link LauncherBridge}: starts each command with the step's
 * {@code Launcher} and {@code EnvVars}, exactly as durable-task's {@code sh} does
 * ({@code launcher.launch().cmds(..).envs(..).pwd(..).quiet(true)}), so the command runs where
 * {@code sh} would: on the agent, or inside {@code container('x')} when the Kubernetes plugin's
 * decorator wraps the launcher, with {@code withEnv}/{@code tool} PATH, DOCKER_HOST, BUILDKIT_HOST
 * and DOCKER_CONFIG. It grants the agent nothing new: the same commands could run in an
 * {@code sh} step of that build. Closed when the step's callable returns.
 */
final class LauncherCommands implements LauncherBridge {

    private final Launcher launcher;
    private final EnvVars env;
    private final VirtualChannel channel;
    private volatile boolean closed;

    LauncherCommands(Launcher launcher, EnvVars env, VirtualChannel channel) {
        this.launcher = launcher;
        this.env = env;
        this.channel = channel;
    }

    @Override
    public int run(ArrayList<String> argv, HashMap<String, String> add, ArrayList<String> unset, String workDir,
                   long timeoutMillis, OutputSink output) throws IOException, InterruptedException {
        if (closed) {
            throw new IOException("gopipe: the step that could run '" + argv.get(0) + "' has finished");
        }
        EnvVars vars = new EnvVars(env);
        vars.putAll(add);
        for (String k : unset) {
            vars.put(k, ""); // EnvVars.override removes a variable given an empty value
        }
        OutputStream out = new SinkStream(output);
        Launcher.ProcStarter starter = launcher.launch().cmds(escape(argv)).envs(escape(vars)).quiet(true).stdout(out);
        if (workDir != null) {
            starter.pwd(new FilePath(channel, workDir));
        }
        Proc proc;
        try {
            proc = starter.start();
        } catch (IOException e) {
            // Not installed where the launcher starts processes: the shell's 127, the reason as output.
            output.write((argv.get(0) + ": " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
            return 127;
        }
        AtomicBoolean killed = new AtomicBoolean();
        ScheduledFuture<?> watchdog = Timer.get().schedule(() -> {
            killed.set(true);
            try {
                proc.kill();
            } catch (IOException | InterruptedException ignored) {
                // join() below returns either way once the process is gone
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        try {
            int code = proc.join();
            return killed.get() ? TIMED_OUT : code;
        } catch (InterruptedException e) {
            proc.kill(); // the step was aborted: the command must not outlive it
            throw e;
        } finally {
            watchdog.cancel(false);
        }
    }

    /** After this, calls from a proxy the agent may still hold fail. */
    void close() {
        closed = true;
    }

    /**
     * {@code $} doubled, as durable-task does for {@code sh}: LocalLauncher expands {@code $VAR} in
     * commands and variables ({@code EnvVars.expand}, {@code overrideExpandingAll}) and turns {@code $$}
     * into {@code $}; the Kubernetes decorator turns {@code $$} back into a literal {@code $} too.
     */
    static List<String> escape(List<String> argv) {
        return argv.stream().map(a -> a.replace("$", "$$")).toList();
    }

    static Map<String, String> escape(EnvVars vars) {
        Map<String, String> m = new TreeMap<>();
        vars.forEach((k, v) -> m.put(k, v.replace("$", "$$")));
        return m;
    }

    /** Hands every write to the agent's sink. */
    private static final class SinkStream extends OutputStream {
        private final OutputSink sink;

        SinkStream(OutputSink sink) {
            this.sink = sink;
        }

        @Override
        public void write(int b) throws IOException {
            sink.write(new byte[] {(byte) b});
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > 0) {
                sink.write(Arrays.copyOfRange(b, off, off + len));
            }
        }
    }
}
