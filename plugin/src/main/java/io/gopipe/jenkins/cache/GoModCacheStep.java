package io.gopipe.jenkins.cache;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.EnvVars;
import hudson.Extension;
import hudson.FilePath;
import hudson.Launcher;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.FormValidation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * {@code goModCache(policy: 'mod') { … }}: restores a Go cache before the body, points
 * GOMODCACHE (or GOCACHE for {@code policy: 'build'}) at it, and saves it after a successful body.
 * Keys follow go.sum, the Go version and the platform unless given. A cache problem is a miss with
 * one warning, never a failed build, unless {@code failOnError}.
 */
public class GoModCacheStep extends Step {

    private String policy = "mod";
    private String path;
    private String key;
    private List<String> restoreKeys;
    private String salt;
    private String go = "go";
    private String dir;
    private Boolean readOnly;
    private boolean failOnError;
    private long timeLimitSeconds = 600;
    private long maxEntryMb;
    private String flavour;
    private String gopipe = "gopipe";

    @DataBoundConstructor
    public GoModCacheStep() {
    }

    public String getPolicy() {
        return policy;
    }

    /** {@code mod} (GOMODCACHE, keyed by go.sum) or {@code build} (GOCACHE, rolling per branch). */
    @DataBoundSetter
    public void setPolicy(String policy) {
        this.policy = Util.fixEmptyAndTrim(policy) == null ? "mod" : PolicyCheck.valid(policy.trim());
    }

    public String getPath() {
        return path;
    }

    /** The cache directory on the agent, relative to the workspace or absolute; default {@code <workspace>@gopipe/<policy>}. */
    @DataBoundSetter
    public void setPath(String path) {
        this.path = Util.fixEmptyAndTrim(path);
    }

    public String getKey() {
        return key;
    }

    @DataBoundSetter
    public void setKey(String key) {
        this.key = Util.fixEmptyAndTrim(key);
    }

    public List<String> getRestoreKeys() {
        return restoreKeys;
    }

    @DataBoundSetter
    public void setRestoreKeys(List<String> restoreKeys) {
        this.restoreKeys = restoreKeys == null ? null : new ArrayList<>(restoreKeys);
    }

    public String getSalt() {
        return salt;
    }

    @DataBoundSetter
    public void setSalt(String salt) {
        this.salt = Util.fixEmptyAndTrim(salt);
    }

    public String getGo() {
        return go;
    }

    /** The go binary whose version and platform enter the key. */
    @DataBoundSetter
    public void setGo(String go) {
        this.go = Util.fixEmptyAndTrim(go) == null ? "go" : go.trim();
    }

    public String getDir() {
        return dir;
    }

    /** The repository directory (for go.sum discovery) relative to the workspace. */
    @DataBoundSetter
    public void setDir(String dir) {
        this.dir = Util.fixEmptyAndTrim(dir);
    }

    public Boolean getReadOnly() {
        return readOnly;
    }

    /** Restore but never save; by default true for pull requests when the admin says so. */
    @DataBoundSetter
    public void setReadOnly(Boolean readOnly) {
        this.readOnly = readOnly;
    }

    public boolean isFailOnError() {
        return failOnError;
    }

    @DataBoundSetter
    public void setFailOnError(boolean failOnError) {
        this.failOnError = failOnError;
    }

    public long getTimeLimitSeconds() {
        return timeLimitSeconds;
    }

    /** A restore taking longer is abandoned as a miss. */
    @DataBoundSetter
    public void setTimeLimitSeconds(long timeLimitSeconds) {
        this.timeLimitSeconds = timeLimitSeconds;
    }

    public long getMaxEntryMb() {
        return maxEntryMb;
    }

    @DataBoundSetter
    public void setMaxEntryMb(long maxEntryMb) {
        this.maxEntryMb = maxEntryMb;
    }

    public String getFlavour() {
        return flavour;
    }

    /**
     * For {@code policy: 'build'}: {@code archive} (restore and save GOCACHE) or {@code remote}
     * (GOCACHEPROG = {@code gopipe gocache}, Go >= 1.24); empty: the admin's default.
     */
    @DataBoundSetter
    public void setFlavour(String flavour) {
        this.flavour = BuildCacheFlavour.validOrNull(flavour);
    }

    public String getGopipe() {
        return gopipe;
    }

    /** The gopipe command on the agent that the remote flavour's GOCACHEPROG starts. */
    @DataBoundSetter
    public void setGopipe(String gopipe) {
        this.gopipe = Util.fixEmptyAndTrim(gopipe) == null ? "gopipe" : gopipe.trim();
    }

    @Override
    public StepExecution start(StepContext context) {
        return new GoModCacheExecution(this, context);
    }

    @Extension
    public static final class DescriptorImpl extends StepDescriptor {

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(FilePath.class, TaskListener.class, EnvVars.class, Run.class, Launcher.class);
        }

        @Override
        public String getFunctionName() {
            return "goModCache";
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return "Restore and save a Go module or build cache around a block";
        }

        @Override
        public boolean takesImplicitBlockArgument() {
            return true;
        }

        public FormValidation doCheckPolicy(@QueryParameter String value) {
            return PolicyCheck.form(value);
        }

        public FormValidation doCheckFlavour(@QueryParameter String value) {
            try {
                BuildCacheFlavour.validOrNull(value);
                return FormValidation.ok();
            } catch (IllegalArgumentException e) {
                return FormValidation.error(e.getMessage());
            }
        }
    }
}
