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
    record Plan(List<PrefetchManifest.Pack> kept, List<List<Packs.Entry>> fresh) {
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
        Set<String> assigned = new HashSet<>();
        List<PrefetchManifest.Pack> kept = new ArrayList<>();
        for (PrefetchManifest.Pack p : keepable) {
            List<Packs.Entry> live = new ArrayList<>();
            long liveBytes = 0;
            for (Packs.Entry e : p.entries()) {
                ActionRecord r = used.get(e.actionId());
                if (r != null && r.outputId().equals(e.outputId()) && r.size() == e.size() && !assigned.contains(e.actionId())) {
                    live.add(e);
                    liveBytes += e.size();
                }
            }
            if (!live.isEmpty() && 2 * liveBytes >= p.packRaw()) {
                live.forEach(e -> assigned.add(e.actionId()));
                kept.add(live.size() == p.entries().size() ? p : new PrefetchManifest.Pack(p.name(), p.bytes(), live, p.packRaw()));
            }
        }
        Map<String, ActionRecord> rest = new LinkedHashMap<>();
        used.forEach((a, r) -> {
            if (!assigned.contains(a)) {
                rest.put(a, r);
            }
        });
        return new Plan(kept, plan(rest));
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
