package io.gopipe.jenkins.exec;

import hudson.AbortException;
import hudson.EnvVars;
import hudson.FilePath;
import hudson.Launcher;
import hudson.remoting.Channel;
import hudson.remoting.VirtualChannel;
import io.gopipe.core.exec.CommandException;
import io.gopipe.core.exec.CommandRequest;
import io.gopipe.core.exec.CommandResult;
import io.gopipe.core.exec.CommandRunner;
import io.gopipe.core.exec.OutputLines;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/**
 * The plugin's {@link CommandRunner}: travels with a callable to the agent JVM, where the engine
 * runs, and starts every command through the step's {@code Launcher} on the controller
 * ({@link LauncherBridge}). That is the only way to honour {@code container('x')}: the Kubernetes
 * plugin decorates the Launcher on the controller side, and a process started in the agent JVM
 * would run in the jnlp container whatever the pipeline says. File work stays in the agent JVM.
 *
 * <p>Use {@link #export}, pass {@link Export#runner()} in the callable, close the export when the
 * callable has returned.
 */
public final class LauncherCommandRunner implements CommandRunner, Serializable {

    private static final long serialVersionUID = 1L;

    /** A proxy to the controller's {@link LauncherCommands}, or that object itself on the built-in node. */
    private final LauncherBridge bridge;
    /** The channel back to the controller, captured while this runner is deserialized on the agent. */
    private transient Channel channel;

    private LauncherCommandRunner(LauncherBridge bridge) {
        this.bridge = bridge;
    }

    /**
     * Makes the step's Launcher and EnvVars (as {@code sh} would get them at this point of the
     * pipeline) callable from the workspace's agent.
     *
     * @throws AbortException when the step has no Launcher (not inside {@code node})
     */
    public static Export export(StepContext context, FilePath workspace) throws IOException, InterruptedException {
        Launcher launcher = context.get(Launcher.class);
        EnvVars env = context.get(EnvVars.class);
        VirtualChannel channel = workspace.getChannel();
        if (launcher == null || env == null || channel == null) {
            throw new AbortException("gopipe: this step needs an agent: run it inside node { … }");
        }
        LauncherCommands commands = new LauncherCommands(launcher, env, channel);
        return new Export(commands, channel.export(LauncherBridge.class, commands));
    }

    @Override
    public CommandResult run(CommandRequest request) {
        long start = System.nanoTime();
        OutputLines out = new OutputLines(request);
        LauncherBridge.OutputSink local = out::write;
        // Exported on a real agent; on the built-in node nothing was serialized and the bridge is local.
        LauncherBridge.OutputSink sink = channel == null ? local : channel.export(LauncherBridge.OutputSink.class, local);
        int code;
        try {
            code = bridge.run(new ArrayList<>(request.argv()), new HashMap<>(request.env()),
                    new ArrayList<>(request.unset()), request.workDir() == null ? null : request.workDir().toString(),
                    request.timeout().toMillis(), sink);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted while running " + request.program(), e);
        } catch (IOException e) {
            throw new CommandException("cannot run " + request.program() + " through the step's launcher: "
                    + e.getMessage(), e);
        } finally {
            Reference.reachabilityFence(sink); // an export lives as long as its proxy here
            out.close();
        }
        boolean timedOut = code == LauncherBridge.TIMED_OUT;
        return new CommandResult(timedOut ? -1 : code, out.tail(), Duration.ofNanos(System.nanoTime() - start), timedOut);
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        channel = Channel.current();
    }

    /** The exported Launcher of one step call; closing it makes the agent's proxy refuse further commands. */
    public static final class Export implements AutoCloseable {
        private final LauncherCommands commands;
        /** Kept until close: the export lives as long as this reference (VirtualChannel.export). */
        private final LauncherBridge exported;

        private Export(LauncherCommands commands, LauncherBridge exported) {
            this.commands = commands;
            this.exported = exported;
        }

        /** The runner to put in the callable. */
        public LauncherCommandRunner runner() {
            return new LauncherCommandRunner(exported);
        }

        @Override
        public void close() {
            commands.close();
            Reference.reachabilityFence(exported);
        }
    }
}
