package io.gopipe.jenkins.remote;

import hudson.AbortException;
import hudson.remoting.VirtualChannel;
import io.gopipe.core.GopipeException;
import io.gopipe.core.PortableErrors;
import java.io.File;
import java.io.IOException;
import jenkins.agents.ControllerToAgentFileCallable;

/**
 * Base of every gopipe callable sent to an agent. Whatever the engine throws comes back to the
 * controller as text it can deserialize under JEP-200: an engine error as an {@link AbortException}
 * with the whole message chain (no stack trace: the message names the file, key or option), any
 * other failure as a {@code PortableException} whose causes are JDK types only. Without this a
 * JGit or AWS SDK object in a cause chain turns the user's message into "Rejected: …".
 *
 * @param <T> the result; a JDK type (String, ArrayList, HashMap, …), so the controller accepts it
 */
public abstract class AgentFileCallable<T> implements ControllerToAgentFileCallable<T> {

    private static final long serialVersionUID = 1L;

    /** The work, on the agent, next to {@code dir}. */
    protected abstract T run(File dir) throws IOException, InterruptedException;

    @Override
    public final T invoke(File dir, VirtualChannel channel) throws IOException, InterruptedException {
        try {
            return run(dir);
        } catch (AbortException | InterruptedException e) {
            throw e;
        } catch (GopipeException e) {
            throw new AbortException("gopipe: " + PortableErrors.messageChain(e));
        } catch (IOException | RuntimeException e) {
            throw PortableErrors.portable(e);
        }
    }
}
