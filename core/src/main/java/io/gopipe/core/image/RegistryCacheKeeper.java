package io.gopipe.core.image;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Keeps a registry cache from thinning. A build whose every step was cached exports only the cache
 * records it loaded: measured on bench/image, an unchanged rebuild of bigsvc on main left main's
 * registry cache with 2 of its 7 layers, so the steps of a Dockerfile before {@code COPY . .} (a
 * {@code go mod download}) would run again in the next change build. When no instruction ran and
 * the new manifest lists a strict subset of the previous one's blobs, the previous manifest is put
 * back (its blobs are still in the repository). Best effort: a registry that does not answer plainly
 * (token auth) keeps the thinner cache.
 */
final class RegistryCacheKeeper {

    private final RegistryManifests manifests;

    RegistryCacheKeeper(RegistryManifests manifests) {
        this.manifests = manifests;
    }

    /**
     * @param ref    the cache ref the build exported to
     * @param before its manifest before the build
     * @param steps  the build's steps
     * @return whether {@code before} was put back
     */
    boolean keep(String ref, RegistryManifests.Manifest before, List<BuildStep> steps, RegistryCredentials credentials) {
        int[] counts = BuildResult.count(steps);
        if (ref == null || before == null || counts[1] != 0 || counts[0] == 0) {
            return false;
        }
        RegistryManifests.Manifest after = manifests.get(ref, credentials).orElse(null);
        if (after == null || Arrays.equals(after.body(), before.body())) {
            return false;
        }
        Set<String> old = before.blobs();
        Set<String> now = after.blobs();
        return !old.isEmpty() && old.containsAll(now) && old.size() > now.size()
                && manifests.put(ref, before, credentials);
    }
}
