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

    /** A head pack holds at most this many bytes (the module index and such are 0.2-30 KB each). */
    static final long HEAD_MAX_BYTES = 1L << 20;
    static final int HEAD_MAX_ENTRIES = 1024;
    /** Sets smaller than this get no head pack: all their packs come at once anyway. */
    static final long HEAD_MIN_SET_BYTES = 8L << 20;
    /** A head entry is at most this big: one large output would hold up the small ones behind it. */
    static final long HEAD_ENTRY_MAX_BYTES = 256L << 10;

    /**
     * The head of a run: the small entries it used first, in that order, up to its first output of
     * {@link #ALONE_BYTES} or more. go asks for these one after another while it loads packages (the
     * standard library's module index, a few hundred entries of 0.2-30 KB) and compiles nothing until
     * it has them all; cut by output ID they are spread over every pack of small entries. A copy of
     * them as one pack of their own, fetched first, ends go's loading long before the prefetch ends.
     * Empty when the set is small ({@link #HEAD_MIN_SET_BYTES}), when the head would be more than an
     * eighth of it, or under 8 entries: the copy's bytes must stay small.
     */
    static List<Packs.Entry> head(Map<String, ActionRecord> used) {
        long total = 0;
        for (ActionRecord r : used.values()) {
            total += r.size();
        }
        if (total < HEAD_MIN_SET_BYTES) {
            return List.of();
        }
        List<Packs.Entry> head = new ArrayList<>();
        long bytes = 0;
        for (Map.Entry<String, ActionRecord> e : used.entrySet()) {
            long size = e.getValue().size();
            if (size >= ALONE_BYTES || head.size() == HEAD_MAX_ENTRIES || bytes + size > HEAD_MAX_BYTES) {
                break;
            }
            if (size <= HEAD_ENTRY_MAX_BYTES) {
                head.add(new Packs.Entry(e.getKey(), e.getValue().outputId(), size));
                bytes += size;
            }
        }
        return head.size() < 8 || 8 * bytes > total ? List.of() : head;
    }

    /**
     * The last run's head pack, listing what this run still uses of it, when it still serves: it holds
     * at least 90% of this run's head, and at least 90% of it is still used. The order of first use
     * moves a little from run to run (go asks in parallel), and a new head for that alone would be a
     * write on every unchanged rebuild. Null when a new head is to be cut.
     */
    static PrefetchManifest.Pack keepHead(PrefetchManifest.Pack last, List<Packs.Entry> head, Map<String, ActionRecord> used) {
        if (last == null || head.isEmpty()) {
            return null;
        }
        List<Packs.Entry> live = new ArrayList<>();
        for (Packs.Entry e : last.entries()) {
            ActionRecord r = used.get(e.actionId());
            if (r != null && r.outputId().equals(e.outputId()) && r.size() == e.size()) {
                live.add(e);
            }
        }
        Set<Packs.Entry> liveSet = new HashSet<>(live);
        long covered = head.stream().filter(liveSet::contains).count();
        if (10 * live.size() < 9 * last.entries().size() || 10 * covered < 9 * head.size()) {
            return null;
        }
        return new PrefetchManifest.Pack(last.name(), last.bytes(), live, last.packRaw(), true);
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
