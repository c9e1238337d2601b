package io.gopipe.jenkins.config;

import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.CredentialsScope;
import hudson.Extension;
import hudson.ExtensionList;
import hudson.Util;
import hudson.util.FormValidation;
import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import hudson.security.ACL;
import hudson.util.ListBoxModel;
import io.gopipe.jenkins.cache.BuildCacheFlavour;
import java.util.Collections;
import jenkins.model.GlobalConfiguration;
import jenkins.model.Jenkins;
import org.kohsuke.stapler.verb.POST;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * Admin defaults for every gopipe step, on "Manage Jenkins → System" and in JCasC as
 * {@code unclassified: gopipe: …}. Steps take these unless a Jenkinsfile overrides them.
 */
@Extension
@Symbol("gopipe")
public class GopipeGlobalConfiguration extends GlobalConfiguration {

    /** Where cache entries live: on the controller, in a directory every agent mounts, or in S3. */
    public enum CacheBackendKind { CONTROLLER, DIRECTORY, S3 }

    /**
     * How the controller's store is split. FOLDER: jobs share with the other jobs of their folder
     * (for a multibranch project: its branches share, so a new branch restores what the default
     * branch saved). JOB: every job on its own. Pull requests write only to their own job either way.
     */
    public enum CacheNamespaceScope { FOLDER, JOB }

    private CacheBackendKind cacheBackend = CacheBackendKind.CONTROLLER;
    private String cacheDirectory;
    private String s3Bucket;
    private String s3Prefix = "gopipe-cache";
    private String s3Endpoint;
    private String s3Region;
    private boolean s3PathStyle;
    private String s3CredentialsId;
    private long cacheMaxSizeMb = 20_480;
    private int cacheMaxAgeDays = 14;
    private boolean readOnlyCacheForPullRequests = true;
    private CacheNamespaceScope cacheNamespaceScope = CacheNamespaceScope.FOLDER;
    private String buildkitDriver = "auto";
    private String buildkitAddress;
    private String imageCacheRepository;
    private String registryCredentialsId;
    private String defaultBranch = "main";
    private String baseImageMirror;
    private String buildCacheFlavour = BuildCacheFlavour.ARCHIVE;

    public GopipeGlobalConfiguration() {
        load();
    }

    /** The configured instance; Jenkins creates exactly one. */
    public static GopipeGlobalConfiguration get() {
        return ExtensionList.lookupSingleton(GopipeGlobalConfiguration.class);
    }

    public CacheBackendKind getCacheBackend() {
        return cacheBackend;
    }

    @DataBoundSetter
    public void setCacheBackend(CacheBackendKind cacheBackend) {
        this.cacheBackend = cacheBackend == null ? CacheBackendKind.CONTROLLER : cacheBackend;
        save();
    }

    public String getCacheDirectory() {
        return cacheDirectory;
    }

    @DataBoundSetter
    public void setCacheDirectory(String cacheDirectory) {
        this.cacheDirectory = Util.fixEmptyAndTrim(cacheDirectory);
        save();
    }

    public String getS3Bucket() {
        return s3Bucket;
    }

    @DataBoundSetter
    public void setS3Bucket(String s3Bucket) {
        this.s3Bucket = Util.fixEmptyAndTrim(s3Bucket);
        save();
    }

    public String getS3Prefix() {
        return s3Prefix;
    }

    @DataBoundSetter
    public void setS3Prefix(String s3Prefix) {
        this.s3Prefix = Util.fixEmptyAndTrim(s3Prefix);
        save();
    }

    public String getS3Endpoint() {
        return s3Endpoint;
    }

    @DataBoundSetter
    public void setS3Endpoint(String s3Endpoint) {
        this.s3Endpoint = Util.fixEmptyAndTrim(s3Endpoint);
        save();
    }

    public String getS3Region() {
        return s3Region;
    }

    @DataBoundSetter
    public void setS3Region(String s3Region) {
        this.s3Region = Util.fixEmptyAndTrim(s3Region);
        save();
    }

    public boolean isS3PathStyle() {
        return s3PathStyle;
    }

    @DataBoundSetter
    public void setS3PathStyle(boolean s3PathStyle) {
        this.s3PathStyle = s3PathStyle;
        save();
    }

    public String getS3CredentialsId() {
        return s3CredentialsId;
    }

    @DataBoundSetter
    public void setS3CredentialsId(String s3CredentialsId) {
        this.s3CredentialsId = Util.fixEmptyAndTrim(s3CredentialsId);
        save();
    }

    public long getCacheMaxSizeMb() {
        return cacheMaxSizeMb;
    }

    @DataBoundSetter
    public void setCacheMaxSizeMb(long cacheMaxSizeMb) {
        this.cacheMaxSizeMb = cacheMaxSizeMb;
        save();
    }

    public int getCacheMaxAgeDays() {
        return cacheMaxAgeDays;
    }

    @DataBoundSetter
    public void setCacheMaxAgeDays(int cacheMaxAgeDays) {
        this.cacheMaxAgeDays = cacheMaxAgeDays;
        save();
    }

    public boolean isReadOnlyCacheForPullRequests() {
        return readOnlyCacheForPullRequests;
    }

    @DataBoundSetter
    public void setReadOnlyCacheForPullRequests(boolean readOnlyCacheForPullRequests) {
        this.readOnlyCacheForPullRequests = readOnlyCacheForPullRequests;
        save();
    }

    public CacheNamespaceScope getCacheNamespaceScope() {
        return cacheNamespaceScope;
    }

    @DataBoundSetter
    public void setCacheNamespaceScope(CacheNamespaceScope cacheNamespaceScope) {
        this.cacheNamespaceScope = cacheNamespaceScope == null ? CacheNamespaceScope.FOLDER : cacheNamespaceScope;
        save();
    }

    public String getBuildkitDriver() {
        return buildkitDriver;
    }

    @DataBoundSetter
    public void setBuildkitDriver(String buildkitDriver) {
        this.buildkitDriver = Util.fixEmptyAndTrim(buildkitDriver) == null ? "auto" : buildkitDriver.trim();
        save();
    }

    public String getBuildkitAddress() {
        return buildkitAddress;
    }

    @DataBoundSetter
    public void setBuildkitAddress(String buildkitAddress) {
        this.buildkitAddress = Util.fixEmptyAndTrim(buildkitAddress);
        save();
    }

    public String getImageCacheRepository() {
        return imageCacheRepository;
    }

    @DataBoundSetter
    public void setImageCacheRepository(String imageCacheRepository) {
        this.imageCacheRepository = Util.fixEmptyAndTrim(imageCacheRepository);
        save();
    }

    public String getRegistryCredentialsId() {
        return registryCredentialsId;
    }

    @DataBoundSetter
    public void setRegistryCredentialsId(String registryCredentialsId) {
        this.registryCredentialsId = Util.fixEmptyAndTrim(registryCredentialsId);
        save();
    }

    public String getDefaultBranch() {
        return defaultBranch;
    }

    @DataBoundSetter
    public void setDefaultBranch(String defaultBranch) {
        this.defaultBranch = Util.fixEmptyAndTrim(defaultBranch) == null ? "main" : defaultBranch.trim();
        save();
    }

    public String getBaseImageMirror() {
        return baseImageMirror;
    }

    @DataBoundSetter
    public void setBaseImageMirror(String baseImageMirror) {
        this.baseImageMirror = Util.fixEmptyAndTrim(baseImageMirror);
        save();
    }

    /** goModCache(policy: 'build')'s flavour when the step names none: {@code archive} or {@code remote}. */
    public String getBuildCacheFlavour() {
        return buildCacheFlavour == null ? BuildCacheFlavour.ARCHIVE : buildCacheFlavour;
    }

    @DataBoundSetter
    public void setBuildCacheFlavour(String buildCacheFlavour) {
        String f = BuildCacheFlavour.validOrNull(buildCacheFlavour);
        this.buildCacheFlavour = f == null ? BuildCacheFlavour.ARCHIVE : f;
        save();
    }

    public ListBoxModel doFillBuildCacheFlavourItems() {
        ListBoxModel items = new ListBoxModel();
        items.add("Archive: restore and save GOCACHE whole around the block", BuildCacheFlavour.ARCHIVE);
        items.add("Remote: GOCACHEPROG = gopipe gocache (Go >= 1.24 on the agent)", BuildCacheFlavour.REMOTE);
        return items;
    }

    public ListBoxModel doFillCacheBackendItems() {
        ListBoxModel items = new ListBoxModel();
        items.add("On the controller (JENKINS_HOME/gopipe-cache)", CacheBackendKind.CONTROLLER.name());
        items.add("Shared directory mounted on every agent", CacheBackendKind.DIRECTORY.name());
        items.add("S3-compatible object storage", CacheBackendKind.S3.name());
        return items;
    }

    public ListBoxModel doFillCacheNamespaceScopeItems() {
        ListBoxModel items = new ListBoxModel();
        items.add("Per folder (a multibranch project's branches share)", CacheNamespaceScope.FOLDER.name());
        items.add("Per job", CacheNamespaceScope.JOB.name());
        return items;
    }

    public ListBoxModel doFillBuildkitDriverItems() {
        ListBoxModel items = new ListBoxModel();
        items.add("Detect (buildctl if an address is set, else docker buildx)", "auto");
        items.add("docker buildx", "buildx");
        items.add("buildctl against a buildkitd address", "buildctl");
        return items;
    }

    @POST
    public ListBoxModel doFillS3CredentialsIdItems(@QueryParameter String s3CredentialsId) {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        // Access key id + secret as a username/password pair; AWS credential types need an extra plugin.
        return buildCredentials().includeCurrentValue(s3CredentialsId);
    }

    @POST
    public ListBoxModel doFillRegistryCredentialsIdItems(@QueryParameter String registryCredentialsId) {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        return buildCredentials().includeCurrentValue(registryCredentialsId);
    }

    /**
     * Username/password credentials a build can use: GLOBAL scope only. Builds resolve these ids with
     * {@code CredentialsProvider.findCredentialById(…, run)}, which never returns SYSTEM-scoped ones,
     * so listing those would offer a choice that fails at build time.
     */
    private static StandardListBoxModel buildCredentials() {
        StandardListBoxModel model = new StandardListBoxModel();
        model.includeEmptyValue();
        model.includeMatchingAs(ACL.SYSTEM2, Jenkins.get(), StandardUsernamePasswordCredentials.class,
                Collections.emptyList(), CredentialsMatchers.withScope(CredentialsScope.GLOBAL));
        return model;
    }

    public FormValidation doCheckImageCacheRepository(@QueryParameter String value) {
        String v = Util.fixEmptyAndTrim(value);
        if (v != null && (v.contains("://") || v.endsWith("/"))) {
            return FormValidation.error("A repository such as registry.example.com/cache/{service}, without scheme or trailing slash");
        }
        return FormValidation.ok();
    }
}
