package io.gopipe.core.cache;

/** What is cached, which decides keys and when a save is worth it. */
public enum CachePolicy {
    /** GOMODCACHE: keyed by go.sum; saved only when new module@version directories appeared. */
    MOD,
    /** GOCACHE: rolling keys with a restore ladder; trimmed to the size cap, newest files first. */
    BUILD;

    /** {@code mod} or {@code build}. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static CachePolicy parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "mod", "gomod", "modules" -> MOD;
            case "build", "gobuild", "gocache" -> BUILD;
            default -> throw new InvalidCacheInputException("unknown cache policy '" + s + "': use mod or build");
        };
    }
}
