package io.gopipe.jenkins.cache;

import hudson.FilePath;
import hudson.model.Run;
import hudson.remoting.Channel;
import hudson.remoting.VirtualChannel;
import hudson.slaves.WorkspaceList;
import io.gopipe.core.cache.remote.StoreAccess;
import io.gopipe.core.gocache.store.ControllerObjectServer;
import io.gopipe.core.gocache.store.ControllerObjects;
import io.gopipe.core.gocache.store.LoopbackObjectServer;
import io.gopipe.jenkins.remote.AgentFileCallable;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The controller's store for the remote Go build cache of one {@code goModCache} body. The go
 * command starts {@code gopipe gocache} itself, outside the agent JVM, so it cannot use the
 * agent's channel: the controller exports its {@link ControllerObjectServer} (namespace and
 * pull-request rules decided here, from the run) over the channel, and a {@link LoopbackObjectServer}
 * in the agent JVM serves it on 127.0.0.1 to those processes, which find it through an endpoint
 * file in {@code <workspace>@tmp}. Stopped when the body ends, or when the agent's channel closes.
 */
public final class GoCacheLoopback {

    private static final Logger LOGGER = Logger.getLogger(GoCacheLoopback.class.getName());

    private GoCacheLoopback() {
    }

    /** Stops one loopback server; exported from the agent to the controller. */
    public interface Handle {
        void stop() throws IOException;
    }

    /**
     * A running server.
     *
     * @param endpoint the endpoint file on the agent, for {@code --backend controller:<file>}
     * @param readOnly whether the controller lets this build write nothing
     * @param handle   stops it (a proxy to the agent)
     */
    record Started(String endpoint, boolean readOnly, Handle handle) {
    }

    /**
     * Exports the build's view of the controller store to the workspace's agent and starts serving
     * it there.
     *
     * @param readOnly the step's own read-only decision; the controller's rules may make it read-only anyway
     */
    static Started start(FilePath workspace, Run<?, ?> run, boolean readOnly) throws IOException, InterruptedException {
        StoreAccess access = ControllerCacheStore.access(run);
        if (readOnly && !access.readOnly()) {
            access = new StoreAccess(null, access.readNamespaces());
        }
        VirtualChannel channel = workspace.getChannel();
        FilePath tmp = WorkspaceList.tempDir(workspace);
        if (channel == null || tmp == null) {
            throw new IOException("the workspace " + workspace.getRemote() + " has no agent or no parent directory");
        }
        ControllerObjects exported = channel.export(ControllerObjects.class,
                ControllerObjectServer.forAgent(ControllerCacheStore.root(), access));
        FilePath endpoint = tmp.child("gopipe-gocache").child(UUID.randomUUID() + ".endpoint");
        Handle handle = workspace.act(new Start(exported, endpoint.getRemote()));
        return new Started(endpoint.getRemote(), access.readOnly(), handle);
    }

    /** Starts the loopback server in the agent JVM; returns a handle the controller can stop it with. */
    private static final class Start extends AgentFileCallable<Handle> {

        private static final long serialVersionUID = 1L;

        /** A proxy to the controller's {@link ControllerObjectServer} (the object itself on the built-in node). */
        private final ControllerObjects store;
        private final String endpoint;

        Start(ControllerObjects store, String endpoint) {
            this.store = store;
            this.endpoint = endpoint;
        }

        @Override
        protected Handle run(File workspace) throws IOException {
            Served served = new Served(LoopbackObjectServer.start(store, Path.of(endpoint)), Channel.current());
            if (served.channel == null) {
                return served; // the built-in node: nothing crosses a channel
            }
            // A controller restart or a lost agent never leaves the server behind.
            served.channel.addListener(served);
            return served.channel.export(Handle.class, served);
        }
    }

    /** The server in the agent JVM; it also stops when the channel to the controller closes. */
    private static final class Served extends Channel.Listener implements Handle {

        private final LoopbackObjectServer server;
        private final Channel channel;

        Served(LoopbackObjectServer server, Channel channel) {
            this.server = server;
            this.channel = channel;
        }

        @Override
        public void stop() throws IOException {
            if (channel != null) {
                channel.removeListener(this); // releases the server and its proxy to the controller's store
            }
            server.close();
        }

        @Override
        public void onClosed(Channel c, IOException cause) {
            try {
                server.close();
            } catch (IOException e) {
                LOGGER.log(Level.FINE, "closing the gocache loopback server", e);
            }
        }
    }
}
