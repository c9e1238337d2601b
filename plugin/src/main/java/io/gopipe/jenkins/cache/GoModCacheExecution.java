package io.gopipe.jenkins.cache;

import hudson.AbortException;
import hudson.EnvVars;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.gopipe.core.GopipeException;
import io.gopipe.core.cache.CacheJob;
import io.gopipe.core.cache.CacheJobOptions;
import io.gopipe.core.cache.CachePolicy;
import io.gopipe.core.cache.InvalidCacheInputException;
import io.gopipe.core.gocache.GoCacheProgLine;
import io.gopipe.core.gocache.store.ObjectStores;
import io.gopipe.jenkins.config.GopipeGlobalConfiguration;
import io.gopipe.jenkins.exec.LauncherCommandRunner;
import io.gopipe.jenkins.exec.LauncherDaemon;
import io.gopipe.jenkins.report.ListenerReporter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jenkins.util.Timer;
import org.jenkinsci.plugins.workflow.steps.BodyExecutionCallback;
import org.jenkinsci.plugins.workflow.steps.EnvironmentExpander;
import org.jenkinsci.plugins.workflow.steps.GeneralNonBlockingStepExecution;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/** Restore on the agent, run the body with the cache variable set, save after a successful body. */
final class GoModCacheExecution extends GeneralNonBlockingStepExecution {

    private static final long serialVersionUID = 1L;

    private final transient GoModCacheStep step;
    /** Kept across the body (and a controller restart) without its store: no secret or proxy is persisted. */
    private CacheJobOptions options;
    private String repoDir;
    /** The remote flavour on the controller store: the endpoint file the agent's loopback server wrote. */
    private String endpoint;
    /** Stops that server; lost on a controller restart, when the closed channel has stopped it already. */
    private transient GoCacheLoopback.Handle loopback;
    /**
     * The remote flavour's {@code gopipe gocache serve} of this body, started through the step's launcher;
     * lost on a controller restart, when its --idle-exit (or the node block's end) stops it.
     */
    private transient LauncherDaemon daemon;
    /** Its address, for the body's GOPIPE_GOCACHE_DAEMON (image builds); null without a daemon. */
    private String daemonAddress;

    GoModCacheExecution(GoModCacheStep step, StepContext context) {
        super(context);
        this.step = step;
    }

    @Override
    public boolean start() {
        run(this::restoreThenBody);
        return false;
    }

    private void restoreThenBody() throws Exception {
        StepContext ctx = getContext();
        FilePath workspace = ctx.get(FilePath.class);
        if (workspace == null) {
            throw new AbortException("gopipe: goModCache has no workspace: the agent is offline or gone");
        }
        EnvVars env = ctx.get(EnvVars.class);
        GopipeGlobalConfiguration config = GopipeGlobalConfiguration.get();
        options = options(workspace.getRemote(), env, config);
        try {
            CacheJob.check(options);
        } catch (InvalidCacheInputException e) {
            throw new AbortException("gopipe: goModCache: " + e.getMessage());
        }
        if (CachePolicy.parse(options.policy()) == CachePolicy.BUILD) {
            String prog = remoteProgram(config, env, ctx.get(TaskListener.class), workspace, ctx.get(Run.class));
            if (prog != null) {
                // Remote flavour: every go command in the body asks `gopipe gocache` per action; nothing to restore or save.
                Map<String, String> vars = new HashMap<>(Map.of("GOCACHE", CacheJob.cachePath(options).toString(), "GOCACHEPROG", prog));
                if (daemonAddress != null) {
                    vars.put("GOPIPE_GOCACHE_DAEMON", daemonAddress); // gopipe image build: go inside BuildKit reaches it too
                }
                EnvironmentExpander remote = EnvironmentExpander.merge(ctx.get(EnvironmentExpander.class), EnvironmentExpander.constant(vars));
                ctx.newBodyInvoker().withContext(remote)
                        .withCallback(endpoint == null && daemon == null ? BodyExecutionCallback.wrap(ctx) : new StopLoopback()).start();
                return;
            }
        }
        FilePath repo = step.getDir() == null ? workspace : workspace.child(step.getDir());
        repoDir = repo.getRemote();
        act(ctx, repo, CacheCallable.Action.RESTORE);

        String variable = CachePolicy.parse(options.policy()) == CachePolicy.BUILD ? "GOCACHE" : "GOMODCACHE";
        EnvironmentExpander expander = EnvironmentExpander.merge(ctx.get(EnvironmentExpander.class),
                EnvironmentExpander.constant(Map.of(variable, CacheJob.cachePath(options).toString())));
        ctx.newBodyInvoker().withContext(expander).withCallback(new SaveOnSuccess()).start();
    }

    /**
     * The step's inputs as the engine's options; relative {@code path} and {@code dir} are relative
     * to the workspace. Pull requests are read-only when the admin says so, unless the step decides.
     */
    private CacheJobOptions options(String workspace, EnvVars env, GopipeGlobalConfiguration config) {
        GoModCacheStep s = step;
        boolean controllerPrunes = config.getCacheBackend() == GopipeGlobalConfiguration.CacheBackendKind.CONTROLLER;
        boolean readOnly = s.getReadOnly() != null ? s.getReadOnly()
                : env.get("CHANGE_ID") != null && config.isReadOnlyCacheForPullRequests();
        return CacheJobOptions.builder().workDir(workspace).policy(s.getPolicy())
                .path(s.getPath() != null ? s.getPath() : workspace + "@gopipe/" + s.getPolicy())
                .repo(s.getDir() == null ? "." : s.getDir()).key(s.getKey()).restoreKeys(s.getRestoreKeys()).salt(s.getSalt())
                .goBinary(s.getGo()).defaultBranch(config.getDefaultBranch()).readOnly(readOnly).failOnError(s.isFailOnError())
                .timeLimit(Duration.ofSeconds(s.getTimeLimitSeconds())).maxEntryBytes(s.getMaxEntryMb() << 20)
                // The controller store is pruned by the controller's periodic task; its agent proxy refuses sweeps.
                .eviction(controllerPrunes ? 0 : config.getCacheMaxSizeMb() << 20,
                        Duration.ofDays(controllerPrunes ? 0 : config.getCacheMaxAgeDays()))
                .progressInterval(Duration.ofSeconds(5)).build();
    }

    /**
     * GOCACHEPROG for the remote flavour (the step's, else the admin's default), or null for the
     * archive. Go splits it on spaces itself. The store is the admin's shared directory, S3 bucket,
     * or the controller's store, served to the agent's go processes by {@link GoCacheLoopback}.
     */
    private String remoteProgram(GopipeGlobalConfiguration config, EnvVars env, TaskListener listener, FilePath workspace,
                                 Run<?, ?> run) throws InterruptedException {
        String flavour = step.getFlavour() != null ? step.getFlavour() : config.getBuildCacheFlavour();
        if (!BuildCacheFlavour.REMOTE.equals(flavour)) {
            return null;
        }
        String goWarning = goVersionWarning(workspace);
        if (goWarning != null) {
            listener.getLogger().println("gopipe: WARNING: " + goWarning);
            return null;
        }
        String backend;
        boolean readOnly = options.readOnly();
        switch (config.getCacheBackend()) {
            case DIRECTORY:
                if (config.getCacheDirectory() == null) {
                    listener.getLogger().println("gopipe: WARNING: the remote build cache needs a cache store; the shared directory is not configured. Using the archive flavour");
                    return null;
                }
                backend = "local:" + config.getCacheDirectory();
                break;
            case S3:
                if (config.getS3Bucket() == null) {
                    listener.getLogger().println("gopipe: WARNING: the remote build cache needs a cache store; no S3 bucket is configured. Using the archive flavour");
                    return null;
                }
                backend = "s3://" + config.getS3Bucket() + "/" + (config.getS3Prefix() == null ? "" : config.getS3Prefix());
                if (config.getS3CredentialsId() != null) {
                    // Secrets never go on a command line; gocache reads the agent's GOPIPE_S3_* or default chain.
                    listener.getLogger().println("gopipe: the remote build cache uses the agent's S3 credentials (GOPIPE_S3_ACCESS_KEY/SECRET_KEY or the default chain), not '"
                            + config.getS3CredentialsId() + "'");
                }
                break;
            case CONTROLLER:
            default:
                try {
                    GoCacheLoopback.Started started = GoCacheLoopback.start(workspace, run, options.readOnly());
                    loopback = started.handle();
                    endpoint = started.endpoint();
                    readOnly = started.readOnly();
                    backend = ObjectStores.CONTROLLER + endpoint;
                } catch (IOException | RuntimeException e) {
                    // a cache problem never fails the build: AgentFileCallable brings agent failures back as PortableException
                    listener.getLogger().println("gopipe: WARNING: the controller store cannot be served to the agent for the remote build cache ("
                            + e.getMessage() + "); using the archive flavour");
                    return null;
                }
                break;
        }
        String key = step.getKey() != null ? step.getKey() : env.get("JOB_NAME") != null ? env.get("JOB_NAME") : "default";
        boolean s3 = config.getCacheBackend() == GopipeGlobalConfiguration.CacheBackendKind.S3;
        // One daemon for the body: go starts the small bridge per go command instead of a JVM.
        List<String> storeArgs = new ArrayList<>(List.of("--backend", backend));
        if (s3 && config.getS3Endpoint() != null) {
            storeArgs.addAll(List.of("--s3-endpoint", config.getS3Endpoint()));
        }
        if (s3 && config.getS3Region() != null) {
            storeArgs.addAll(List.of("--s3-region", config.getS3Region()));
        }
        if (s3 && config.isS3PathStyle()) {
            storeArgs.add("--s3-path-style");
        }
        GoCacheDaemonStart.Running running = GoCacheDaemonStart.start(getContext(), workspace, step.getGopipe(), storeArgs,
                step.getGo() != null ? step.getGo() : "go", key, readOnly, listener);
        if (running != null) {
            daemon = running.daemon();
            daemonAddress = running.address();
            return running.prog();
        }
        try {
            return new GoCacheProgLine(step.getGopipe(), backend, s3 ? config.getS3Endpoint() : null,
                    s3 ? config.getS3Region() : null, s3 && config.isS3PathStyle(), key, readOnly).value();
        } catch (IllegalArgumentException e) {
            listener.getLogger().println("gopipe: WARNING: " + e.getMessage() + "; using the archive flavour");
            stopLoopback(listener);
            endpoint = null;
            return null;
        }
    }

    /**
     * Stops the agent's loopback server of the controller store. After a controller restart there is
     * no handle (the closed channel stopped the server); the endpoint file is removed all the same.
     */
    private void stopLoopback(TaskListener listener) throws InterruptedException {
        GoCacheLoopback.Handle h = loopback;
        loopback = null;
        try {
            if (h != null) {
                h.stop();
            } else if (endpoint != null) {
                FilePath workspace = getContext().get(FilePath.class);
                if (workspace != null && workspace.getChannel() != null) {
                    new FilePath(workspace.getChannel(), endpoint).delete();
                }
            }
        } catch (IOException | RuntimeException e) {
            // the agent is gone (its closed channel stopped the server) or the file went with the workspace
            listener.getLogger().println("gopipe: WARNING: stopping the remote build cache's loopback server: " + e.getMessage());
        }
    }

    /** An aborted body never reaches {@link StopLoopback}: stop the server and the daemon off the CPS VM thread. */
    @Override
    public void stop(Throwable cause) throws Exception {
        if (daemon != null) {
            LauncherDaemon d = daemon;
            daemon = null;
            Timer.get().submit(() -> {
                try {
                    d.kill();
                } catch (IOException | InterruptedException | RuntimeException e) {
                    // the agent is gone, and the daemon with it (or its --idle-exit ends it)
                }
            });
        }
        if (loopback != null) {
            GoCacheLoopback.Handle h = loopback;
            loopback = null;
            Timer.get().submit(() -> {
                try {
                    h.stop();
                } catch (IOException | RuntimeException e) {
                    // the agent is gone: its closed channel stopped the server
                }
            });
        }
        super.stop(cause);
    }

    /**
     * The remote flavour: stops the body's gocache daemon and the controller store's loopback server
     * when the body ends, passing its outcome on.
     */
    private final class StopLoopback extends TailCall {

        private static final long serialVersionUID = 1L;

        @Override
        protected void finished(StepContext context) throws Exception {
            TaskListener listener = context.get(TaskListener.class);
            LauncherDaemon d = daemon;
            daemon = null;
            GoCacheDaemonStart.stop(d, listener);
            stopLoopback(listener);
        }
    }

    /** The warning when the body's go ignores GOCACHEPROG (before 1.24), else null; asked where {@code sh} runs. */
    private String goVersionWarning(FilePath workspace) throws InterruptedException {
        FilePath dir = step.getDir() == null ? workspace : workspace.child(step.getDir());
        try (LauncherCommandRunner.Export commands = LauncherCommandRunner.export(getContext(), dir)) {
            return dir.act(new GoVersionCallable(commands.runner(), step.getGo()));
        } catch (IOException e) {
            // a cache problem never fails the build
            return "cannot ask the build's go for its version (" + e.getMessage() + "); using the archive build cache";
        }
    }

    private void act(StepContext ctx, FilePath repo, CacheCallable.Action action) throws Exception {
        Run<?, ?> run = ctx.get(Run.class);
        Path staging = CacheJob.cachePath(options).resolveSibling(".gopipe-staging");
        CacheJobOptions call = options.withStore(CacheStores.resolve(GopipeGlobalConfiguration.get(), repo, staging, run));
        try (LauncherCommandRunner.Export commands = LauncherCommandRunner.export(ctx, repo)) {
            repo.act(new CacheCallable(action, call, new HashMap<>(ctx.get(EnvVars.class)),
                    new ListenerReporter(ctx.get(TaskListener.class)), commands.runner()));
        }
    }

    /** Saves only after a successful body: a failed build's cache may be half-downloaded. */
    private final class SaveOnSuccess extends BodyExecutionCallback {

        private static final long serialVersionUID = 1L;

        @Override
        public void onSuccess(StepContext context, Object result) {
            run(() -> {
                try {
                    FilePath workspace = context.get(FilePath.class);
                    if (workspace == null) {
                        // the agent is offline (e.g. after a controller restart): StepContext.get gives no workspace
                        CacheJob.skipSave(options, new ListenerReporter(context.get(TaskListener.class)),
                                "the agent went away before the cache could be saved");
                    } else {
                        act(context, new FilePath(workspace.getChannel(), repoDir), CacheCallable.Action.SAVE);
                    }
                    context.onSuccess(result);
                } catch (GopipeException e) {
                    context.onFailure(new AbortException("gopipe: " + e.getMessage()));
                } catch (Throwable t) {
                    context.onFailure(t);
                }
            });
        }

        @Override
        public void onFailure(StepContext context, Throwable t) {
            context.onFailure(t);
        }
    }
}
