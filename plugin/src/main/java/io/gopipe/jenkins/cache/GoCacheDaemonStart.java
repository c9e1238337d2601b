package io.gopipe.jenkins.cache;

import hudson.FilePath;
import hudson.model.TaskListener;
import hudson.slaves.WorkspaceList;
import io.gopipe.jenkins.exec.LauncherCommandRunner;
import io.gopipe.jenkins.exec.LauncherDaemon;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import jenkins.util.Timer;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/**
 * The remote flavour's {@code gopipe gocache serve} for one {@code goModCache} body: started through
 * the step's launcher (inside {@code container('go')} on a pod), on loopback TCP (a pod's containers
 * share the network namespace, not {@code /tmp}), its bound address read back from a ready file in
 * {@code <workspace>@tmp}; then {@code gopipe gocache bridge} through the same launcher, which takes
 * the bridge for the body's go from the store (or builds it into {@code <workspace>@tmp}, the
 * workspace volume, and publishes it), so an ephemeral pod does not compile it on every build.
 * The body then gets {@code GOCACHEPROG} = the bridge line and {@code GOPIPE_GOCACHE_DAEMON} (image
 * builds). Anything that goes wrong is null with one warning: the caller uses the JVM line instead.
 */
final class GoCacheDaemonStart {

    static final long READY_MILLIS = 120_000;
    static final String IDLE_EXIT = "30m";

    private GoCacheDaemonStart() {
    }

    /** A running daemon: what the body gets, and what the step stops when the body ends. */
    record Running(String address, String prog, LauncherDaemon daemon, String dir) {
    }

    /**
     * @param storeArgs the store flags of {@code gopipe gocache} ({@code --backend …} and the S3 ones)
     * @return the running daemon, or null after one warning
     */
    static Running start(StepContext ctx, FilePath workspace, String gopipe, List<String> storeArgs, String go, String key,
                         boolean readOnly, TaskListener listener) throws InterruptedException {
        FilePath tmp = WorkspaceList.tempDir(workspace);
        if (tmp == null) {
            return warn(listener, "the workspace has no temp folder", null);
        }
        FilePath dir = tmp.child("gopipe-gocache-" + UUID.randomUUID().toString().substring(0, 8));
        FilePath ready = dir.child("ready");
        LauncherDaemon daemon = null;
        try {
            dir.mkdirs();
            List<String> argv = new ArrayList<>(gopipeArgv(gopipe));
            argv.addAll(List.of("gocache", "serve"));
            argv.addAll(storeArgs);
            argv.addAll(List.of("--tcp", "127.0.0.1:0", "--ready-file", ready.getRemote(), "--lock", dir.child("daemon.lock").getRemote(),
                    "--idle-exit", IDLE_EXIT, "--prefetch-key", key));
            if (readOnly) {
                argv.add("--read-only");
            }
            daemon = LauncherDaemon.start(ctx, argv, Map.of(), workspace);
            long deadline = System.currentTimeMillis() + READY_MILLIS;
            while (!(ready.exists() && ready.length() > 0)) {
                if (!daemon.isAlive()) {
                    return warn(listener, "the gocache daemon exited before it was ready; its output is above", daemon);
                }
                if (System.currentTimeMillis() > deadline) {
                    return warn(listener, "the gocache daemon did not become ready within " + READY_MILLIS / 1000 + " s", daemon);
                }
                Thread.sleep(100);
            }
            String address = ready.readToString().lines().findFirst().orElse("").trim();
            // The bridge from the store (or built and published) where go runs, with the daemon's store flags.
            List<String> bridgeArgv = new ArrayList<>(gopipeArgv(gopipe));
            bridgeArgv.addAll(List.of("gocache", "bridge", "--daemon", address, "--go", go, "--prefetch-key", key,
                    "--cache-dir", tmp.child("gopipe-gocache-bridge").getRemote(), "--output", dir.child("bridge-line").getRemote()));
            bridgeArgv.addAll(storeArgs);
            if (readOnly) {
                bridgeArgv.add("--read-only");
            }
            String prog;
            try (LauncherCommandRunner.Export commands = LauncherCommandRunner.export(ctx, workspace)) {
                prog = workspace.act(new BridgeCallable(commands.runner(), bridgeArgv, dir.child("bridge-line").getRemote()));
            }
            listener.getLogger().println("gopipe: gocache daemon " + address + " for this body (log above, folder " + dir.getRemote() + ")");
            return new Running(address, prog, daemon, dir.getRemote());
        } catch (IOException | RuntimeException e) {
            // AgentFileCallable brings an engine failure (a bridge that does not build) back as AbortException/PortableException
            return warn(listener, e.getMessage(), daemon);
        } catch (InterruptedException e) {
            // The step was stopped (GeneralNonBlockingStepExecution.stop cancels this thread) before the execution
            // holds the daemon, so its stop() cannot kill it: kill it here, off this interrupted thread.
            killLater(daemon);
            throw e;
        }
    }

    /** Kills the daemon from a timer thread, as the execution's stop() does: this thread is being cancelled. */
    static void killLater(LauncherDaemon daemon) {
        if (daemon == null) {
            return;
        }
        Timer.get().submit(() -> {
            try {
                daemon.kill();
            } catch (IOException | InterruptedException | RuntimeException e) {
                // the agent is gone, and the daemon with it (or its --idle-exit ends it)
            }
        });
    }

    /** The configured gopipe command, split like a shell would split plain words. */
    private static List<String> gopipeArgv(String gopipe) {
        return List.of((gopipe == null ? "gopipe" : gopipe).trim().split("\\s+"));
    }

    private static Running warn(TaskListener listener, String why, LauncherDaemon daemon) throws InterruptedException {
        listener.getLogger().println("gopipe: WARNING: the gocache daemon is not available (" + why
                + "); each go command starts `gopipe gocache` itself");
        stop(daemon, listener);
        return null;
    }

    /** Stops the daemon (its JVM's shutdown hook removes the ready file); a cache problem is a warning. */
    static void stop(LauncherDaemon daemon, TaskListener listener) throws InterruptedException {
        if (daemon == null) {
            return;
        }
        try {
            daemon.kill();
        } catch (IOException | RuntimeException e) {
            // the agent is gone, and the daemon with it (or its --idle-exit ends it)
            listener.getLogger().println("gopipe: WARNING: stopping the gocache daemon: " + e.getMessage());
        }
    }

}
