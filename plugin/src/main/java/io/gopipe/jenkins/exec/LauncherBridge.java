package io.gopipe.jenkins.exec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;

/**
 * What the engine, running in the agent JVM inside a {@code FilePath.act}, calls back on the
 * controller to start one command with the step's {@code Launcher}. The controller exports it with
 * {@code VirtualChannel.export}; remoting runs such calls as its own built-in RPC (no agent-to-controller
 * callable is involved). Every argument is a JDK type or an exported proxy, so nothing depends on the
 * JEP-200 class filter accepting a bundled jar.
 */
public interface LauncherBridge {

    /** Returned instead of an exit code when the command was killed for running past its timeout. */
    int TIMED_OUT = Integer.MIN_VALUE;

    /**
     * Starts {@code argv} where the step's {@code sh} would run and waits for it.
     *
     * @param env           variables set on top of the step's environment
     * @param unset         variables removed from it (set empty where a launcher cannot remove)
     * @param workDir       working directory on the node, or null
     * @param timeoutMillis how long it may run before it is killed
     * @param output        receives stdout and stderr, in order, before this method returns
     * @return the exit code, 127 when it could not be started, or {@link #TIMED_OUT}
     * @throws IOException when the launcher or the channel broke down
     */
    int run(ArrayList<String> argv, HashMap<String, String> env, ArrayList<String> unset, String workDir,
            long timeoutMillis, OutputSink output) throws IOException, InterruptedException;

    /**
     * Where a command's output goes: the agent exports one per command. An interface, not an
     * {@code OutputStream}, because exported objects must be interfaces; each call is synchronous,
     * so all output has arrived when {@link #run} returns (a {@code RemoteOutputStream} is asynchronous).
     */
    interface OutputSink {
        void write(byte[] bytes) throws IOException;
    }
}
