package io.gopipe.core.gocache;

/**
 * What a prune of the remote build cache did.
 *
 * @param actionsRemoved   action records dropped (too old, over the size budget, or damaged)
 * @param objectsRemoved   outputs no retained action referenced
 * @param manifestsRemoved prefetch manifests older than the age limit
 * @param packsRemoved     packs no retained manifest referenced
 * @param toolsRemoved     stored tools (bridges) older than the age limit
 * @param stagingRemoved   leftovers of killed puts
 * @param kept             usage afterwards
 */
public record GoCachePruneResult(long actionsRemoved, long objectsRemoved, long manifestsRemoved, long packsRemoved,
                                 long toolsRemoved, long stagingRemoved, GoCacheUsage kept) {
}
