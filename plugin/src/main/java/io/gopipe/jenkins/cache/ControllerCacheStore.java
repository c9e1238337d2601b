package io.gopipe.jenkins.cache;

import hudson.model.ItemGroup;
import hudson.model.Job;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.remoting.VirtualChannel;
import io.gopipe.core.cache.remote.ControllerStores;
import io.gopipe.core.cache.remote.RemoteStore;
import io.gopipe.core.cache.remote.StoreAccess;
import io.gopipe.jenkins.config.GopipeGlobalConfiguration;
import java.io.IOException;
import java.nio.file.Path;
import jenkins.model.Jenkins;

/**
 * The controller's cache store as one build's agent may use it. Everything that decides what the
 * agent may do is taken on the controller from the run itself, never from the step's environment
 * (a Jenkinsfile can change that with {@code withEnv}): the job's and folder's full names for the
 * namespaces, {@code CHANGE_ID} as the branch source contributes it for a pull request, and the
 * administrator's settings. The rules themselves are core's {@link StoreAccess#forBuild}.
 */
final class ControllerCacheStore {

    private ControllerCacheStore() {
    }

    /** {@code $JENKINS_HOME/gopipe-cache}. */
    static Path root() {
        return Jenkins.get().getRootDir().toPath().resolve("gopipe-cache");
    }

    /** What the build's agent may read and write. */
    static StoreAccess access(Run<?, ?> run) throws IOException, InterruptedException {
        GopipeGlobalConfiguration config = GopipeGlobalConfiguration.get();
        Job<?, ?> job = run.getParent();
        ItemGroup<?> folder = job.getParent();
        String own = "job:" + job.getFullName();
        String shared = config.getCacheNamespaceScope() == GopipeGlobalConfiguration.CacheNamespaceScope.JOB
                ? own : "folder:" + folder.getFullName();
        boolean pullRequest = run.getEnvironment(TaskListener.NULL).get("CHANGE_ID") != null;
        boolean readOnly = pullRequest && config.isReadOnlyCacheForPullRequests();
        return StoreAccess.forBuild(shared, own, pullRequest, readOnly);
    }

    /** The store for the build, exported over the agent's channel (itself for the built-in node). */
    static RemoteStore export(VirtualChannel channel, Run<?, ?> run) throws IOException, InterruptedException {
        return channel.export(RemoteStore.class, ControllerStores.forAgent(root(), access(run)));
    }
}
