package io.gopipe.core.affected;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One question to the engine: which services of {@code repo} does the change from {@code base} to
 * {@code head} affect, for {@code target}.
 *
 * @param repo     the repository's work tree or git directory
 * @param base     how to find the base revision
 * @param head     the head revision, "HEAD" when null
 * @param target   the build target, linux/amd64 without cgo when null
 * @param modCache a Go module cache (GOMODCACHE) holding external module sources, or null
 */
public record AffectedRequest(Path repo, BaseSpec base, String head, BuildTarget target, Path modCache) {

    public AffectedRequest {
        Objects.requireNonNull(repo, "repo");
        Objects.requireNonNull(base, "base");
        head = head == null || head.isBlank() ? "HEAD" : head;
        target = target == null ? BuildTarget.linuxAmd64() : target;
    }

    /** A request for HEAD on linux/amd64 without a module cache. */
    public AffectedRequest(Path repo, BaseSpec base) {
        this(repo, base, "HEAD", BuildTarget.linuxAmd64(), null);
    }
}
