package io.gopipe.core.gocache;

import io.gopipe.core.gocache.store.ObjectStore;
import io.gopipe.core.gocache.store.StoredObject;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Statistics and pruning of the remote build cache. Pruning works through the index: actions are
 * kept most recently used first within the age and size limits (used = the record written, or
 * listed by a key's manifest, which runs mark as used once a day), and an output object goes only
 * when no kept action names it. Objects and packs younger than the grace period stay whatever the index says,
 * because a running build uploads an object before the action record that names it. Stored tools
 * (the bridge binaries under {@code t/}) age out like manifests; they are not counted against the
 * size limit (a few MiB per go version and platform), and one removed while still in use costs the
 * next agent one compile, which publishes it again.
 */
public final class GoCacheHousekeeping {

    /** Protects uploads in progress from a concurrent prune. */
    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);

    /** Where {@link BridgeShelf} keeps built bridges. */
    static final String TOOLS = "t/";

    private final ObjectStore store;

    public GoCacheHousekeeping(ObjectStore store) {
        this.store = store;
    }

    /** Counts and sizes, from listings only. */
    public GoCacheUsage usage() throws IOException {
        List<StoredObject> objects = store.list("o/");
        List<StoredObject> packs = store.list("p/");
        List<StoredObject> tools = store.list(TOOLS);
        return new GoCacheUsage(store.list("a/").size(), objects.size(), bytes(objects), packs.size(), bytes(packs),
                store.list("m/").size(), tools.size(), bytes(tools));
    }

    private static long bytes(List<StoredObject> objects) {
        return objects.stream().mapToLong(StoredObject::size).sum();
    }

    /**
     * Prunes to {@code maxBytes} (0: no limit) of objects and packs and drops what was written longer
     * than {@code maxAge} ago (zero: no limit).
     */
    public GoCachePruneResult prune(long maxBytes, Duration maxAge, Duration grace) throws IOException {
        Instant now = Instant.now();
        Instant ageCutoff = maxAge.isZero() ? Instant.MIN : now.minus(maxAge);
        Instant graceCutoff = now.minus(grace);

        // Manifests by age (a run that uses an unchanged set writes it again once a day, so this is the
        // key's last build); the packs they name are kept with them, and the actions they list count as
        // used then, however long ago their records were written.
        long manifestsRemoved = 0;
        Set<String> livePacks = new HashSet<>();
        Map<String, Instant> listedUse = new HashMap<>();
        for (StoredObject m : store.list("m/")) {
            if (m.modified().isBefore(ageCutoff)) {
                store.delete(m.name());
                manifestsRemoved++;
                continue;
            }
            PrefetchManifest pm = store.get(m.name()).map(PrefetchManifest::parse).orElse(null);
            if (pm == null) {
                store.delete(m.name());
                manifestsRemoved++;
                continue;
            }
            pm.packs().forEach(p -> livePacks.add(p.name()));
            Instant use = m.modified();
            pm.packs().forEach(p -> p.entries().forEach(e -> listedUse.merge("a/" + e.actionId(), use, (x, y) -> x.isAfter(y) ? x : y)));
        }
        long packsRemoved = 0;
        long packBytes = 0;
        for (StoredObject p : store.list("p/")) {
            if (livePacks.contains(p.name()) || !p.modified().isBefore(graceCutoff)) {
                packBytes += p.size();
            } else {
                store.delete(p.name());
                packsRemoved++;
            }
        }

        // Actions newest first, within age and the bytes left after the packs.
        Map<String, Long> objectSize = new HashMap<>();
        for (StoredObject o : store.list("o/")) {
            objectSize.put(o.name().substring(2), o.size());
        }
        List<StoredObject> actions = new ArrayList<>(store.list("a/"));
        Map<String, Instant> lastUse = new HashMap<>();
        for (StoredObject a : actions) {
            Instant listed = listedUse.get(a.name());
            lastUse.put(a.name(), listed != null && listed.isAfter(a.modified()) ? listed : a.modified());
        }
        actions.sort(Comparator.comparing((StoredObject a) -> lastUse.get(a.name())).reversed());
        Map<String, String> outputOf = readRecords(actions);
        long budget = maxBytes <= 0 ? Long.MAX_VALUE : Math.max(0, maxBytes - packBytes);
        Set<String> referenced = new HashSet<>();
        long used = 0;
        long actionsRemoved = 0;
        for (StoredObject a : actions) {
            String output = outputOf.get(a.name());
            boolean keep = output != null && !lastUse.get(a.name()).isBefore(ageCutoff);
            if (keep && !referenced.contains(output)) {
                long size = objectSize.getOrDefault(output, 0L);
                if (used + size > budget) {
                    keep = false;
                } else {
                    used += size;
                }
            }
            if (keep) {
                referenced.add(output);
            } else {
                store.delete(a.name()); // the record first: no reader is ever sent to a missing object
                actionsRemoved++;
            }
        }
        long objectsRemoved = 0;
        for (StoredObject o : store.list("o/")) {
            if (!referenced.contains(o.name().substring(2)) && o.modified().isBefore(graceCutoff)) {
                store.delete(o.name());
                objectsRemoved++;
            }
        }
        long toolsRemoved = 0;
        for (StoredObject t : store.list(TOOLS)) {
            if (t.modified().isBefore(ageCutoff) && t.modified().isBefore(graceCutoff)) {
                store.delete(t.name());
                toolsRemoved++;
            }
        }
        long staging = store.sweepStaging(grace);
        return new GoCachePruneResult(actionsRemoved, objectsRemoved, manifestsRemoved, packsRemoved, toolsRemoved, staging,
                usage());
    }

    /** Action name → output ID, read in parallel (S3 listings carry no content); damaged records map to nothing. */
    private Map<String, String> readRecords(List<StoredObject> actions) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "gocache-prune");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, Future<ActionRecord>> futures = new HashMap<>();
            for (StoredObject a : actions) {
                futures.put(a.name(), pool.submit(() -> store.get(a.name()).map(ActionRecord::parse).orElse(null)));
            }
            Map<String, String> out = new HashMap<>();
            for (Map.Entry<String, Future<ActionRecord>> e : futures.entrySet()) {
                ActionRecord r = e.getValue().get();
                if (r != null) {
                    out.put(e.getKey(), r.outputId());
                }
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("prune interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
