package io.gopipe.core.image;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Registry cache settings of one service: one cache repository, one tag per branch.
 * A build imports its branch's ref, then the default branch's; it exports only to its own
 * branch's ref, so parallel branches never evict each other and only the default branch writes
 * the shared ref.
 *
 * @param repository     cache repository, e.g. {@code registry.example.com/shop/orders-buildcache};
 *                       null disables the registry cache
 * @param branch         the branch being built
 * @param defaultBranch  the repository's default branch (its ref is the shared fallback)
 * @param export         whether to export at all (off for untrusted builds, e.g. fork PRs)
 * @param mode           {@code max} (every stage) or {@code min} (final stage only)
 * @param ignoreError    whether an export failure is ignored by BuildKit (the build still succeeds)
 */
public record CachePolicy(String repository, String branch, String defaultBranch, boolean export,
                          String mode, boolean ignoreError) {

    public CachePolicy {
        if (mode == null || !(mode.equals("max") || mode.equals("min"))) {
            throw new InvalidImageConfigException("cache mode must be 'max' or 'min', got '" + mode + "'");
        }
        if (repository != null && repository.contains(":") && repository.lastIndexOf(':') > repository.lastIndexOf('/')) {
            throw new InvalidImageConfigException("cache repository '" + repository
                    + "' must not carry a tag: gopipe appends one per branch");
        }
        branch = branch == null || branch.isBlank() ? "main" : branch;
        defaultBranch = defaultBranch == null || defaultBranch.isBlank() ? "main" : defaultBranch;
    }

    /** The defaults: mode=max, export on, errors ignored. */
    public static CachePolicy of(String repository, String branch, String defaultBranch) {
        return new CachePolicy(repository, branch, defaultBranch, true, "max", true);
    }

    /** No registry cache. */
    public static CachePolicy disabled() {
        return new CachePolicy(null, null, null, false, "max", true);
    }

    public boolean enabled() {
        return repository != null && !repository.isBlank();
    }

    /** Refs to import, most specific first (no duplicates). */
    public List<String> importRefs() {
        List<String> refs = new ArrayList<>();
        if (!enabled()) {
            return refs;
        }
        refs.add(ref(branch));
        String shared = ref(defaultBranch);
        if (!refs.contains(shared)) {
            refs.add(shared);
        }
        return refs;
    }

    /** The one ref to export to, or null when exporting is off. */
    public String exportRef() {
        return enabled() && export ? ref(branch) : null;
    }

    /** The cache-to attribute list: {@code type=registry,ref=…,mode=…,image-manifest=true,…}. */
    public String exportSpec() {
        return "type=registry,ref=" + exportRef() + ",mode=" + mode
                + ",image-manifest=true,oci-mediatypes=true,ignore-error=" + ignoreError;
    }

    /** The cache-from attribute list for one ref. */
    public static String importSpec(String ref) {
        return "type=registry,ref=" + ref;
    }

    private String ref(String branchName) {
        return repository + ":" + tagFor(branchName);
    }

    /**
     * A valid registry tag for a branch name: invalid characters become '-', and names longer
     * than the 128-character tag limit are cut and suffixed with a hash so they stay distinct.
     */
    public static String tagFor(String branchName) {
        String t = branchName.replaceAll("[^A-Za-z0-9_.-]", "-");
        if (t.startsWith(".") || t.startsWith("-")) {
            t = "b" + t;
        }
        if (t.length() > 128) {
            t = t.substring(0, 115) + "-" + shortHash(branchName);
        }
        return t;
    }

    private static String shortHash(String s) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
