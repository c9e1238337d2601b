package io.gopipe.jenkins.exec;

import hudson.AbortException;
import hudson.EnvVars;
import hudson.FilePath;
import hudson.Launcher;
import hudson.Proc;
import hudson.model.TaskListener;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/**
 * A long-lived process started through the step's {@code Launcher} and {@code EnvVars}, exactly
 * as {@link LauncherCommands} starts a command (so inside {@code container('x')} it runs in that
 * container), but not waited for: the step keeps the {@link Proc} and kills it when its body ends.
 * The process inherits the node block's {@code JENKINS_NODE_COOKIE}, so Jenkins kills it when the
 * node block ends even if the step never could (a controller restart loses the {@code Proc}).
 */
public final class LauncherDaemon {

    private final Proc proc;

    private LauncherDaemon(Proc proc) {
        this.proc = proc;
    }

    /**
     * Starts {@code argv} in {@code workDir}; its output goes to the build log.
     *
     * @param extra variables added to the step's environment
     * @throws AbortException when the step has no Launcher (not inside {@code node})
     * @throws IOException    when the program cannot be started where the launcher starts processes
     */
    public static LauncherDaemon start(StepContext context, List<String> argv, Map<String, String> extra, FilePath workDir)
            throws IOException, InterruptedException {
        Launcher launcher = context.get(Launcher.class);
        EnvVars env = context.get(EnvVars.class);
        TaskListener listener = context.get(TaskListener.class);
        if (launcher == null || env == null || listener == null) {
            throw new AbortException("gopipe: this step needs an agent: run it inside node { … }");
        }
        EnvVars vars = new EnvVars(env);
        vars.putAll(extra);
        Proc proc = launcher.launch().cmds(LauncherCommands.escape(argv)).envs(LauncherCommands.escape(vars)).quiet(true)
                .stdout(listener.getLogger()).pwd(workDir).start();
        return new LauncherDaemon(proc);
    }

    /** Whether the process still runs (a remote call on an agent). */
    public boolean isAlive() throws IOException, InterruptedException {
        return proc.isAlive();
    }

    /**
     * Ends the process and what it started: on an agent the remote process tree, in a Kubernetes
     * container an interrupt to the exec'd command (the plugin's {@code ContainerExecProc}).
     */
    public void kill() throws IOException, InterruptedException {
        proc.kill();
    }
}
