package io.gopipe.core.gocache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

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
