package io.gopipe.jenkins.cache;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import hudson.AbortException;
import hudson.EnvVars;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.gopipe.core.cache.remote.RemoteStore;
import io.gopipe.jenkins.config.GopipeGlobalConfiguration;
import io.gopipe.jenkins.exec.LauncherCommandRunner;
import io.gopipe.jenkins.report.ListenerReporter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Map;
import org.jenkinsci.plugins.workflow.steps.BodyExecutionCallback;
import org.jenkinsci.plugins.workflow.steps.EnvironmentExpander;
import org.jenkinsci.plugins.workflow.steps.GeneralNonBlockingStepExecution;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/** Restore on the agent, run the body with the cache variable set, save after a successful body. */
final class GoModCacheExecution extends GeneralNonBlockingStepExecution {

    private static final long serialVersionUID = 1L;

    private final transient GoModCacheStep step;
    /** Kept across the body (and a controller restart) without storage: no secret or proxy is persisted. */
    private CacheCallable.Spec spec;
    private String repoDir;

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
        TaskListener listener = ctx.get(TaskListener.class);
        EnvVars env = ctx.get(EnvVars.class);
        Run<?, ?> run = ctx.get(Run.class);
        GopipeGlobalConfiguration config = GopipeGlobalConfiguration.get();

        FilePath repo = step.getDir() == null ? workspace : workspace.child(step.getDir());
        repoDir = repo.getRemote();
        String cachePath = step.getPath() != null ? step.getPath()
                : workspace.getRemote() + "@gopipe/" + step.getPolicy();
        boolean pullRequest = env.get("CHANGE_ID") != null;
        boolean controllerPrunes = config.getCacheBackend() == GopipeGlobalConfiguration.CacheBackendKind.CONTROLLER;
        boolean readOnly = step.getReadOnly() != null ? step.getReadOnly()
                : pullRequest && config.isReadOnlyCacheForPullRequests();
        spec = new CacheCallable.Spec(step.getPolicy(), cachePath, step.getKey(),
                step.getRestoreKeys() == null ? null : new ArrayList<>(step.getRestoreKeys()), step.getSalt(),
                step.getGo(), env.get("BRANCH_NAME", env.get("GIT_BRANCH", "unknown")), config.getDefaultBranch(),
                env.get("GIT_COMMIT", env.get("BUILD_TAG", "build")), readOnly, step.isFailOnError(),
                step.getTimeLimitSeconds(), step.getMaxEntryMb() << 20,
                controllerPrunes ? 0 : config.getCacheMaxSizeMb() << 20, controllerPrunes ? 0 : config.getCacheMaxAgeDays(), null);

        ListenerReporter reporter = new ListenerReporter(listener);
        CacheCallable.Spec call = spec.withStorage(storage(GopipeGlobalConfiguration.get(), repo, run));
        try (LauncherCommandRunner.Export commands = LauncherCommandRunner.export(ctx, workspace)) {
            repo.act(new CacheCallable(CacheCallable.Action.RESTORE, call, reporter, commands.runner()));
        }

        String variable = "build".equalsIgnoreCase(step.getPolicy()) ? "GOCACHE" : "GOMODCACHE";
        EnvironmentExpander expander = EnvironmentExpander.merge(ctx.get(EnvironmentExpander.class),
                EnvironmentExpander.constant(Map.of(variable, cachePath)));
        ctx.newBodyInvoker()
                .withContext(expander)
                .withCallback(new SaveOnSuccess())
                .start();
    }

    /** Resolves the admin's storage choice into something the agent can open. */
    private static CacheStorage storage(GopipeGlobalConfiguration config, FilePath onAgent, Run<?, ?> run)
            throws IOException, InterruptedException {
        switch (config.getCacheBackend()) {
            case DIRECTORY:
                if (config.getCacheDirectory() == null) {
                    throw new AbortException("gopipe: cache storage is 'Shared directory' but no directory is configured"
                            + " (Manage Jenkins → System → gopipe → Shared cache directory)");
                }
                return new CacheStorage(CacheStorage.Kind.DIRECTORY, config.getCacheDirectory(), null, null, null,
                        null, false, null, null, null);
            case S3:
                if (config.getS3Bucket() == null) {
                    throw new AbortException("gopipe: cache storage is S3 but no bucket is configured"
                            + " (Manage Jenkins → System → gopipe → Bucket)");
                }
                String access = null;
                String secret = null;
                if (config.getS3CredentialsId() != null) {
                    StandardUsernamePasswordCredentials c = CredentialsProvider.findCredentialById(
                            config.getS3CredentialsId(), StandardUsernamePasswordCredentials.class, run);
                    if (c == null) {
                        throw new AbortException("gopipe: S3 credentials '" + config.getS3CredentialsId()
                                + "' not found or not a username/password (access key id / secret key)");
                    }
                    CredentialsProvider.track(run, c);
                    access = c.getUsername();
                    secret = c.getPassword().getPlainText();
                }
                return new CacheStorage(CacheStorage.Kind.S3, null, config.getS3Bucket(), config.getS3Prefix(),
                        config.getS3Endpoint(), config.getS3Region(), config.isS3PathStyle(), access, secret, null);
            case CONTROLLER:
            default:
                RemoteStore exported = ControllerCacheStore.export(onAgent.getChannel(), run);
                return new CacheStorage(CacheStorage.Kind.CONTROLLER, null, null, null, null, null, false, null, null,
                        exported);
        }
    }

    /** Saves only after a successful body: a failed build's cache may be half-downloaded. */
    private final class SaveOnSuccess extends BodyExecutionCallback {

        private static final long serialVersionUID = 1L;

        @Override
        public void onSuccess(StepContext context, Object result) {
            run(() -> {
                try {
                    TaskListener listener = context.get(TaskListener.class);
                    FilePath workspace = context.get(FilePath.class);
                    Run<?, ?> run = context.get(Run.class);
                    FilePath repo = workspace.getChannel() == null ? null : new FilePath(workspace.getChannel(), repoDir);
                    if (repo == null) {
                        throw new AbortException("gopipe: the agent went away before the cache could be saved");
                    }
                    CacheCallable.Spec call = spec.withStorage(storage(GopipeGlobalConfiguration.get(), repo, run));
                    try (LauncherCommandRunner.Export commands = LauncherCommandRunner.export(context, repo)) {
                        repo.act(new CacheCallable(CacheCallable.Action.SAVE, call, new ListenerReporter(listener),
                                commands.runner()));
                    }
                    context.onSuccess(result);
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
