package io.gopipe.core.gocache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cuts what a run used into prefetch packs so that packs are shared: entries are sorted by output
 * ID and a pack ends after every entry whose ID's last byte is a multiple of {@link #SPACING}
 * (content-defined boundaries), and an output of {@link #ALONE_BYTES} or more is a pack of its own.
 * Two services over one library tree thus cut their common outputs into the same packs, which the
 * store holds once; a one-line change alters only the few packs around the changed outputs; an
 * unchanged rebuild produces exactly the previous packs and writes nothing. A run downloads
 * exactly the outputs its last run used, in a few dozen transfers instead of one per output.
 */
final class PackPlanner {

    /** Expected entries per pack of small outputs. */
    static final int SPACING = 32;
    /** Outputs this big travel alone (the runtime, big libraries): they never drag neighbours into a new pack. */
    static final long ALONE_BYTES = 2L << 20;

    private PackPlanner() {
    }

    /**
     * A run's packs: packs of the previous manifest it keeps, listing the entries still used, and
     * new packs for the rest.
     */
    record Plan(List<PrefetchManifest.Pack> kept, List<List<Packs.Entry>> fresh, List<Packs.Entry> early) {
        Plan(List<PrefetchManifest.Pack> kept, List<List<Packs.Entry>> fresh) {
            this(kept, fresh, List.of());
        }
    }

    /** The early set: the first entries a run used, ... */
    static final int EARLY_ENTRIES = 256;
    /** ... of at most this size each ... */
    static final long EARLY_ENTRY_BYTES = 64L << 10;
    /** ... and this much in all. */
    static final long EARLY_BYTES = 2L << 20;
    /** A previous early pack is kept while it holds this share of the early set. */
    static final double EARLY_KEEP_COVER = 0.8;

    /**
     * The small entries go asks for first, in use order: while it loads packages, go asks for them
     * one at a time (package index entries), and each scattered over the big packs would stall it
     * until that pack is in. They travel together as the run's early pack, fetched first.
     */
    static List<Packs.Entry> earlySet(Map<String, ActionRecord> used) {
        List<Packs.Entry> early = new ArrayList<>();
        long bytes = 0;
        int seen = 0;
        for (Map.Entry<String, ActionRecord> u : used.entrySet()) {
            if (seen++ >= EARLY_ENTRIES) {
                break;
            }
            long size = u.getValue().size();
            if (size > EARLY_ENTRY_BYTES) {
                continue;
            }
            if (bytes + size > EARLY_BYTES) {
                break;
            }
            bytes += size;
            early.add(new Packs.Entry(u.getKey(), u.getValue().outputId(), size));
        }
        return early;
    }

    /**
     * Plans {@code used} keeping the packs of the last run ({@code keepable}: known to be in the
     * store) that still carry at least half their bytes: a one-line change then writes one small
     * pack of the new outputs instead of re-cutting (and compressing and uploading again) every
     * pack around each changed output, which go waits for at close. The outputs a kept pack no
     * longer needs stay in it, skipped by readers; a pack used less than half is cut again. Without
     * a previous manifest this is {@link #plan(Map)}, so keys with the same set share their packs.
     */
    static Plan plan(Map<String, ActionRecord> used, List<PrefetchManifest.Pack> keepable) {
        return plan(used, keepable, false);
    }

    /**
     * As {@link #plan(Map, List)}; with {@code early}, the first small entries the run used form an
     * early pack (the previous one is kept while it covers most of them): {@link Plan#early()} is
     * that new pack's entries, or a kept pack is marked early.
     */
    static Plan plan(Map<String, ActionRecord> used, List<PrefetchManifest.Pack> keepable, boolean early) {
        Set<String> assigned = new HashSet<>();
        List<PrefetchManifest.Pack> kept = new ArrayList<>();
        List<Packs.Entry> newEarly = List.of();
        List<PrefetchManifest.Pack> others = keepable;
        if (early) {
            List<Packs.Entry> want = earlySet(used);
            PrefetchManifest.Pack last = keepable.stream().filter(PrefetchManifest.Pack::early).findFirst().orElse(null);
            PrefetchManifest.Pack lastKept = last == null ? null : keepIfLive(last, used, Set.of());
            long covered = lastKept == null ? 0 : want.stream().filter(e -> lastKept.entries().contains(e)).count();
            if (lastKept != null && covered >= EARLY_KEEP_COVER * want.size()) {
                lastKept.entries().forEach(e -> assigned.add(e.actionId()));
                kept.add(lastKept);
            } else if (!want.isEmpty()) {
                newEarly = want;
                want.forEach(e -> assigned.add(e.actionId()));
            }
            others = keepable.stream().filter(p -> p != last).toList();
        }
        for (PrefetchManifest.Pack p : others) {
            PrefetchManifest.Pack k = keepIfLive(p, used, assigned);
            if (k != null) {
                k.entries().forEach(e -> assigned.add(e.actionId()));
                kept.add(k.early() ? new PrefetchManifest.Pack(k.name(), k.bytes(), k.entries(), k.packRaw()) : k);
            }
        }
        Map<String, ActionRecord> rest = new LinkedHashMap<>();
        used.forEach((a, r) -> {
            if (!assigned.contains(a)) {
                rest.put(a, r);
            }
        });
        return new Plan(kept, plan(rest), newEarly);
    }

    /** {@code p} listing the entries {@code used} still has (none in {@code taken}), if they are at least half its bytes; else null. */
    private static PrefetchManifest.Pack keepIfLive(PrefetchManifest.Pack p, Map<String, ActionRecord> used, Set<String> taken) {
        List<Packs.Entry> live = new ArrayList<>();
        long liveBytes = 0;
        for (Packs.Entry e : p.entries()) {
            ActionRecord r = used.get(e.actionId());
            if (r != null && r.outputId().equals(e.outputId()) && r.size() == e.size() && !taken.contains(e.actionId())) {
                live.add(e);
                liveBytes += e.size();
            }
        }
        if (live.isEmpty() || 2 * liveBytes < p.packRaw()) {
            return null;
        }
        return live.size() == p.entries().size() ? p : p.listing(live);
    }

    /** The packs' entries, in pack order. */
    static List<List<Packs.Entry>> plan(Map<String, ActionRecord> used) {
        List<Packs.Entry> all = new ArrayList<>();
        used.forEach((action, r) -> all.add(new Packs.Entry(action, r.outputId(), r.size())));
        all.sort(Comparator.comparing(Packs.Entry::outputId).thenComparing(Packs.Entry::actionId));
        List<List<Packs.Entry>> packs = new ArrayList<>();
        List<Packs.Entry> cur = new ArrayList<>();
        for (Packs.Entry e : all) {
            if (e.size() >= ALONE_BYTES) {
                packs.add(List.of(e));
                continue;
            }
            cur.add(e);
            if (Integer.parseInt(e.outputId().substring(62), 16) % SPACING == 0) {
                packs.add(cur);
                cur = new ArrayList<>();
            }
        }
        if (!cur.isEmpty()) {
            packs.add(cur);
        }
        return packs;
    }

    /** A pack's object name: the hash of its entries, so the same set is stored once. */
    static String name(List<Packs.Entry> entries) {
        MessageDigest md = Ids.sha256();
        for (Packs.Entry e : entries) {
            md.update((e.actionId() + e.outputId() + e.size() + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        return "p/" + Ids.hex(md.digest()) + ".pack";
    }
}
