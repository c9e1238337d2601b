package io.gopipe.jenkins.affected;

import com.fasterxml.jackson.databind.ObjectMapper;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.EnvVars;
import hudson.Extension;
import hudson.FilePath;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.FormValidation;
import io.gopipe.core.GopipeException;
import io.gopipe.core.affected.BuildTarget;
import io.gopipe.jenkins.report.ListenerReporter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * {@code goAffectedServices(…)}: which services of the Go monorepo in the workspace must be rebuilt,
 * and why. Returns the engine's JSON contract as a Map (services, reasons, testAffected, all, …).
 * Without base options, the base follows the build: the PR target's merge base, else the last
 * successful build's commit, else every service with the reason stated.
 */
public class GoAffectedServicesStep extends Step {

    private String base;
    private String targetBranch;
    private String sinceCommit;
    private List<String> changedFiles;
    private String head = "HEAD";
    private String dir;
    private String goos = "linux";
    private String goarch = "amd64";
    private boolean cgo;
    private String tags;
    private String modCache;

    @DataBoundConstructor
    public GoAffectedServicesStep() {
    }

    public String getBase() {
        return base;
    }

    @DataBoundSetter
    public void setBase(String base) {
        this.base = Util.fixEmptyAndTrim(base);
    }

    public String getTargetBranch() {
        return targetBranch;
    }

    @DataBoundSetter
    public void setTargetBranch(String targetBranch) {
        this.targetBranch = Util.fixEmptyAndTrim(targetBranch);
    }

    public String getSinceCommit() {
        return sinceCommit;
    }

    @DataBoundSetter
    public void setSinceCommit(String sinceCommit) {
        this.sinceCommit = Util.fixEmptyAndTrim(sinceCommit);
    }

    public List<String> getChangedFiles() {
        return changedFiles;
    }

    @DataBoundSetter
    public void setChangedFiles(List<String> changedFiles) {
        this.changedFiles = changedFiles == null ? null : new ArrayList<>(changedFiles);
    }

    public String getHead() {
        return head;
    }

    @DataBoundSetter
    public void setHead(String head) {
        this.head = Util.fixEmptyAndTrim(head) == null ? "HEAD" : head.trim();
    }

    public String getDir() {
        return dir;
    }

    /** The repository directory relative to the workspace; the workspace itself by default. */
    @DataBoundSetter
    public void setDir(String dir) {
        this.dir = Util.fixEmptyAndTrim(dir);
    }

    public String getGoos() {
        return goos;
    }

    /** GOOS the build constraints are evaluated for; checked here, on the controller (default linux). */
    @DataBoundSetter
    public void setGoos(String goos) {
        this.goos = Util.fixEmptyAndTrim(goos) == null ? "linux" : valid(() -> BuildTarget.checkGoos(goos));
    }

    public String getGoarch() {
        return goarch;
    }

    /** GOARCH the build constraints are evaluated for; checked here, on the controller (default amd64). */
    @DataBoundSetter
    public void setGoarch(String goarch) {
        this.goarch = Util.fixEmptyAndTrim(goarch) == null ? "amd64" : valid(() -> BuildTarget.checkGoarch(goarch));
    }

    /** Core's check, as the exception structs expects from a setter: the message names the value. */
    private static String valid(Supplier<String> check) {
        try {
            return check.get();
        } catch (GopipeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    public boolean isCgo() {
        return cgo;
    }

    @DataBoundSetter
    public void setCgo(boolean cgo) {
        this.cgo = cgo;
    }

    public String getTags() {
        return tags;
    }

    /** Comma-separated build tags, as for {@code go build -tags}. */
    @DataBoundSetter
    public void setTags(String tags) {
        this.tags = Util.fixEmptyAndTrim(tags);
    }

    public String getModCache() {
        return modCache;
    }

    /** A module cache on the agent, so go.mod changes are followed through external packages exactly. */
    @DataBoundSetter
    public void setModCache(String modCache) {
        this.modCache = Util.fixEmptyAndTrim(modCache);
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(this, context);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {

        private static final long serialVersionUID = 1L;
        private final transient GoAffectedServicesStep step;

        Execution(GoAffectedServicesStep step, StepContext context) {
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
            FilePath repo = step.dir == null ? workspace : workspace.child(step.dir);

            AffectedCallable.Options options = new AffectedCallable.Options(step.base, step.targetBranch,
                    step.sinceCommit, step.changedFiles == null ? null : new ArrayList<>(step.changedFiles),
                    step.head, step.goos, step.goarch, step.cgo, step.tags, step.modCache, new HashMap<>(env));
            String json = repo.act(new AffectedCallable(options, new ListenerReporter(listener)));

            run.addAction(new AffectedServicesAction(json));
            @SuppressWarnings("unchecked")
            Map<String, Object> result = new ObjectMapper().readValue(json, Map.class);
            return result;
        }
    }

    @Extension
    public static final class DescriptorImpl extends StepDescriptor {

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(FilePath.class, TaskListener.class, EnvVars.class, Run.class);
        }

        @Override
        public String getFunctionName() {
            return "goAffectedServices";
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return "Go services affected by the change, and why";
        }

        public FormValidation doCheckGoos(@QueryParameter String value) {
            return check(value, () -> BuildTarget.checkGoos(value));
        }

        public FormValidation doCheckGoarch(@QueryParameter String value) {
            return check(value, () -> BuildTarget.checkGoarch(value));
        }

        private static FormValidation check(String value, Supplier<String> check) {
            if (Util.fixEmptyAndTrim(value) == null) {
                return FormValidation.ok(); // the default applies
            }
            try {
                check.get();
                return FormValidation.ok();
            } catch (GopipeException e) {
                return FormValidation.error(e.getMessage());
            }
        }
    }
}
