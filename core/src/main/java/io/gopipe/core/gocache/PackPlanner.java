package io.gopipe.core.gocache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides the packs of a key's next manifest from what this run used and the previous manifest.
 * A previous pack whose bytes are still mostly used is kept as is; what no kept pack covers goes
 * into new packs. So an unchanged rebuild writes nothing, a one-line change writes one small pack,
 * and the bytes a run downloads stay close to what it uses.
 */
final class PackPlanner {

    /** A kept pack must still be this live (by bytes); bounds wasted download to 25%. */
    static final double MIN_LIVE = 0.8;
    /** More packs than this: start over with a fresh set. */
    static final int MAX_PACKS = 12;
    /** New packs are at least this big (raw), so transfers stay few and large. */
    static final long MIN_PACK_BYTES = 16L << 20;
    /** Number of parallel transfers a full repack aims at. */
    static final int TARGET_PACKS = 4;

    private PackPlanner() {
    }

    /** The plan: packs kept from before, and new packs to write (names derived from their entries). */
    record Plan(List<PrefetchManifest.Pack> kept, List<List<Packs.Entry>> fresh) {
    }

    /**
     * @param used     this run's actions in first-use order, each with its output
     * @param previous the manifest read at start, or null
     * @param present  packs known to exist in the store
     */
    static Plan plan(Map<String, ActionRecord> used, PrefetchManifest previous, Set<String> present) {
        List<PrefetchManifest.Pack> kept = new ArrayList<>();
        Set<String> covered = new HashSet<>();
        if (previous != null && previous.packs().size() <= MAX_PACKS) {
            for (PrefetchManifest.Pack p : previous.packs()) {
                if (!present.contains(p.name())) {
                    continue;
                }
                long live = 0;
                for (Packs.Entry e : p.entries()) {
                    ActionRecord r = used.get(e.actionId());
                    if (r != null && r.outputId().equals(e.outputId())) {
                        live += e.size();
                    }
                }
                long raw = p.rawBytes();
                if (raw == 0 || live >= MIN_LIVE * raw) {
                    kept.add(p);
                    p.entries().forEach(e -> covered.add(e.actionId()));
                }
            }
        }
        List<Packs.Entry> rest = new ArrayList<>();
        long restBytes = 0;
        for (Map.Entry<String, ActionRecord> u : used.entrySet()) {
            if (!covered.contains(u.getKey())) {
                rest.add(new Packs.Entry(u.getKey(), u.getValue().outputId(), u.getValue().size()));
                restBytes += u.getValue().size();
            }
        }
        List<List<Packs.Entry>> fresh = new ArrayList<>();
        if (!rest.isEmpty()) {
            long target = Math.max(MIN_PACK_BYTES, restBytes / TARGET_PACKS + 1);
            List<Packs.Entry> cur = new ArrayList<>();
            long curBytes = 0;
            for (Packs.Entry e : rest) {
                cur.add(e);
                curBytes += e.size();
                if (curBytes >= target) {
                    fresh.add(cur);
                    cur = new ArrayList<>();
                    curBytes = 0;
                }
            }
            if (!cur.isEmpty()) {
                fresh.add(cur);
            }
        }
        return new Plan(kept, fresh);
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
