package io.gopipe.jenkins.image;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.AbortException;
import hudson.EnvVars;
import hudson.Extension;
import hudson.FilePath;
import hudson.Launcher;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.slaves.WorkspaceList;
import io.gopipe.core.image.ImageJobOptions;
import io.gopipe.jenkins.config.GopipeGlobalConfiguration;
import io.gopipe.jenkins.exec.LauncherCommandRunner;
import io.gopipe.jenkins.report.ListenerReporter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code goBuildKitImage(service: 'orders', push: true, …)}: builds one service image with BuildKit on
 * the agent, importing and exporting the registry cache of the branch (and the default branch), fed
 * with the Go caches {@code goModCache} restored. Returns {@code [service, digest, tags, cachedSteps,
 * executedSteps, hitRatio, seconds]}; a failed build aborts the step with the engine's message.
 * Unset options take the admin's defaults (Manage Jenkins → System → gopipe).
 */
public class GoBuildKitImageStep extends Step {

    private final String service;
    private String dockerfile;
    private String context;
    private String dir;
    private List<String> tags;
    private String registry;
    private boolean push;
    private String cacheRepo;
    private Boolean cacheExport;
    private String branch;
    private String defaultBranch;
    private String mode = "dockerfile";
    private String gomodcache;
    private String gocache;
    private String runtime;
    private String network;
    private Map<String, String> buildArgs;
    private List<String> secrets;
    private List<String> platforms;
    private boolean provenance;
    private boolean sbom;
    private String credentialsId;

    @DataBoundConstructor
    public GoBuildKitImageStep(String service) {
        this.service = Util.fixEmptyAndTrim(service);
    }

    public String getService() {
        return service;
    }

    public String getDockerfile() {
        return dockerfile;
    }

    /** The service's Dockerfile relative to {@code dir}; default: its own, else a generated one. */
    @DataBoundSetter
    public void setDockerfile(String dockerfile) {
        this.dockerfile = Util.fixEmptyAndTrim(dockerfile);
    }

    public String getContext() {
        return context;
    }

    /** The build context relative to {@code dir}. */
    @DataBoundSetter
    public void setContext(String context) {
        this.context = Util.fixEmptyAndTrim(context);
    }

    public String getDir() {
        return dir;
    }

    /** The repository directory relative to the workspace; the workspace itself by default. */
    @DataBoundSetter
    public void setDir(String dir) {
        this.dir = Util.fixEmptyAndTrim(dir);
    }

    public List<String> getTags() {
        return tags;
    }

    /**
     * Tags of the image {@code registry/service} (default the commit's short id), or full references
     * {@code REGISTRY/REPO:TAG}, as the shared library passes them (then {@code registry} is not needed).
     */
    @DataBoundSetter
    public void setTags(List<String> tags) {
        this.tags = tags == null ? null : new ArrayList<>(tags);
    }

    public String getRegistry() {
        return registry;
    }

    @DataBoundSetter
    public void setRegistry(String registry) {
        this.registry = Util.fixEmptyAndTrim(registry);
    }

    public Boolean getPush() {
        return push;
    }

    /** A Boolean, not a boolean: the shared library passes {@code push: cfg.push}, which may be null. */
    @DataBoundSetter
    public void setPush(Boolean push) {
        this.push = push != null && push;
    }

    public String getCacheRepo() {
        return cacheRepo;
    }

    /** Registry cache repository ({@code {service}}, {@code {image}} replaced); default the global one. */
    @DataBoundSetter
    public void setCacheRepo(String cacheRepo) {
        this.cacheRepo = Util.fixEmptyAndTrim(cacheRepo);
    }

    public Boolean getCacheExport() {
        return cacheExport;
    }

    /** Write the registry cache; default yes, except pull requests when the admin made them read-only. */
    @DataBoundSetter
    public void setCacheExport(Boolean cacheExport) {
        this.cacheExport = cacheExport;
    }

    public String getBranch() {
        return branch;
    }

    @DataBoundSetter
    public void setBranch(String branch) {
        this.branch = Util.fixEmptyAndTrim(branch);
    }

    public String getDefaultBranch() {
        return defaultBranch;
    }

    @DataBoundSetter
    public void setDefaultBranch(String defaultBranch) {
        this.defaultBranch = Util.fixEmptyAndTrim(defaultBranch);
    }

    public String getMode() {
        return mode;
    }

    /** {@code dockerfile} (compile in BuildKit) or {@code agent} (go build on the agent, package in BuildKit). */
    @DataBoundSetter
    public void setMode(String mode) {
        this.mode = Util.fixEmptyAndTrim(mode) == null ? "dockerfile" : mode.trim();
    }

    public String getGomodcache() {
        return gomodcache;
    }

    @DataBoundSetter
    public void setGomodcache(String gomodcache) {
        this.gomodcache = Util.fixEmptyAndTrim(gomodcache);
    }

    public String getGocache() {
        return gocache;
    }

    @DataBoundSetter
    public void setGocache(String gocache) {
        this.gocache = Util.fixEmptyAndTrim(gocache);
    }

    public String getRuntime() {
        return runtime;
    }

    /** Runtime of a generated image: {@code scratch}, {@code distroless} (default) or {@code alpine}. */
    @DataBoundSetter
    public void setRuntime(String runtime) {
        this.runtime = Util.fixEmptyAndTrim(runtime);
    }

    public String getNetwork() {
        return network;
    }

    /**
     * Network mode of the RUN steps, e.g. {@code host}: with the agent's own Docker daemon the remote
     * build cache then reaches the build through a direct loopback link instead of an ssh mount.
     */
    @DataBoundSetter
    public void setNetwork(String network) {
        this.network = Util.fixEmptyAndTrim(network);
    }

    public Map<String, String> getBuildArgs() {
        return buildArgs;
    }

    /**
     * Build arguments. Values are turned into strings here: a Groovy map may hold GStrings or numbers,
     * and structs passes a Map argument through without coercing its values.
     */
    @DataBoundSetter
    public void setBuildArgs(Map<String, ?> buildArgs) {
        if (buildArgs == null) {
            this.buildArgs = null;
            return;
        }
        Map<String, String> m = new LinkedHashMap<>();
        buildArgs.forEach((k, v) -> m.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        this.buildArgs = m;
    }

    public List<String> getSecrets() {
        return secrets;
    }

    /** {@code id=ID,src=FILE} or {@code id=ID,env=VAR} (a variable of the build, e.g. from withCredentials). */
    @DataBoundSetter
    public void setSecrets(List<String> secrets) {
        this.secrets = secrets == null ? null : new ArrayList<>(secrets);
    }

    public List<String> getPlatforms() {
        return platforms;
    }

    @DataBoundSetter
    public void setPlatforms(List<String> platforms) {
        this.platforms = platforms == null ? null : new ArrayList<>(platforms);
    }

    public boolean isProvenance() {
        return provenance;
    }

    @DataBoundSetter
    public void setProvenance(boolean provenance) {
        this.provenance = provenance;
    }

    public boolean isSbom() {
        return sbom;
    }

    @DataBoundSetter
    public void setSbom(boolean sbom) {
        this.sbom = sbom;
    }

    public String getCredentialsId() {
        return credentialsId;
    }

    /** A username/password credential for the registry; default the global registry credentials. */
    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = Util.fixEmptyAndTrim(credentialsId);
    }

    @Override
    public StepExecution start(StepContext context) throws Exception {
        if (service == null) {
            throw new AbortException("goBuildKitImage: 'service' is required");
        }
        return new Execution(this, context);
    }

    /**
     * Runs the build on the agent. The step (and with it nothing secret) is transient; the password is
     * resolved in {@link #run()} and lives only in the callable sent to the agent.
     */
    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {

        private static final long serialVersionUID = 1L;
        private final transient GoBuildKitImageStep step;

        Execution(GoBuildKitImageStep step, StepContext context) {
            super(context);
            this.step = step;
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            StepContext ctx = getContext();
            FilePath workspace = ctx.get(FilePath.class);
            TaskListener listener = ctx.get(TaskListener.class);
            EnvVars env = ctx.get(EnvVars.class);
            Run<?, ?> run = ctx.get(Run.class);
            GopipeGlobalConfiguration config = GopipeGlobalConfiguration.get();
            FilePath repo = step.dir == null ? workspace : workspace.child(step.dir);
            FilePath tmp = WorkspaceList.tempDir(workspace);

            boolean pullRequest = env.get("CHANGE_ID") != null;
            boolean cacheExport = step.cacheExport != null ? step.cacheExport
                    : !(pullRequest && config.isReadOnlyCacheForPullRequests());
            ImageJobOptions.Builder options = ImageJobOptions.builder()
                    .repo(repo.getRemote())
                    .services(List.of(step.service))
                    .dockerfile(step.dockerfile == null ? null : repo.child(step.dockerfile).getRemote())
                    .context(step.context == null ? null : repo.child(step.context).getRemote())
                    .tags(step.tags).registry(step.registry).push(step.push)
                    .cacheRepo(step.cacheRepo != null ? step.cacheRepo : config.getImageCacheRepository())
                    .cacheExport(cacheExport)
                    .branch(step.branch)
                    .defaultBranch(step.defaultBranch != null ? step.defaultBranch : config.getDefaultBranch())
                    .mode(step.mode)
                    .goModCache(step.gomodcache != null ? step.gomodcache : restoredCache(workspace, "mod"))
                    .goCache(step.gocache != null ? step.gocache : restoredCache(workspace, "build"))
                    .runtime(step.runtime)
                    .network(step.network)
                    .buildArgs(step.buildArgs).secrets(step.secrets).platforms(step.platforms)
                    .provenance(step.provenance).sbom(step.sbom)
                    .driver(config.getBuildkitDriver()).buildkitAddress(config.getBuildkitAddress())
                    .baseMirror(config.getBaseImageMirror())
                    .workRoot(tmp == null ? null : tmp.getRemote());
            login(options, config, run);

            ArrayList<Map<String, Object>> results;
            try (LauncherCommandRunner.Export commands = LauncherCommandRunner.export(ctx, workspace)) {
                results = repo.act(new ImageCallable(options.build(), new HashMap<>(env), new ListenerReporter(listener),
                        commands.runner()));
            }
            if (results.isEmpty()) {
                throw new AbortException("gopipe: service '" + step.service + "' produced no image");
            }
            Map<String, Object> result = results.get(0);
            ImageBuildAction.record(run, result);
            return result;
        }

        /** Resolves the registry credential on the controller and records its use; never logged. */
        private void login(ImageJobOptions.Builder options, GopipeGlobalConfiguration config, Run<?, ?> run)
                throws AbortException {
            String id = step.credentialsId != null ? step.credentialsId : config.getRegistryCredentialsId();
            if (id == null) {
                return;
            }
            StandardUsernamePasswordCredentials c = CredentialsProvider.findCredentialById(id,
                    StandardUsernamePasswordCredentials.class, run);
            if (c == null) {
                throw new AbortException("gopipe: registry credentials '" + id
                        + "' not found, not a username/password, or not usable by this build");
            }
            CredentialsProvider.track(run, c);
            options.registryUser(c.getUsername()).registryPassword(c.getPassword().getPlainText());
        }

        /** The directory goModCache restored for this workspace ({@code <workspace>@gopipe/<policy>}), if any. */
        private static String restoredCache(FilePath workspace, String policy)
                throws IOException, InterruptedException {
            if (workspace.getChannel() == null) {
                return null;
            }
            FilePath dir = new FilePath(workspace.getChannel(), workspace.getRemote() + "@gopipe/" + policy);
            return dir.isDirectory() ? dir.getRemote() : null;
        }
    }

    @Extension
    public static final class DescriptorImpl extends StepDescriptor {

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(FilePath.class, TaskListener.class, EnvVars.class, Run.class, Launcher.class);
        }

        @Override
        public String getFunctionName() {
            return "goBuildKitImage";
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return "Build a Go service image with BuildKit and a registry cache";
        }
    }
}
