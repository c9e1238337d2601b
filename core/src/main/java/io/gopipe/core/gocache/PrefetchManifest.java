package io.gopipe.core.gocache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a run of one key (service/branch) used, as the packs that hold it: stored as
 * {@code m/<key>.json}, read by the next run of that key to prefetch.
 *
 * @param packs     the packs; each pack's entries are in the pack's own (output ID) order
 * @param used      the (UTC) day a run last used this set, or null when unknown (older manifests). An
 *                  unchanged set is written again once a day, so that the store's modified time says
 *                  when the key was last built and pruning by age keeps what is still in use.
 * @param firstUse  whether {@code packs} are listed in the order the run first used them (by each
 *                  pack's earliest used entry): a prefetch then fetches them in that order, so what go
 *                  asks for first arrives first. Older manifests are not ordered.
 */
record PrefetchManifest(List<Pack> packs, java.time.LocalDate used, boolean firstUse) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A manifest with no day of use (written again by the next run that uses it). */
    PrefetchManifest(List<Pack> packs) {
        this(packs, null, false);
    }

    /** A manifest whose packs are in no particular order. */
    PrefetchManifest(List<Pack> packs, java.time.LocalDate used) {
        this(packs, used, false);
    }

    /**
     * {@code packs} in the order {@code used} (a run's actions in the order it first used them) first
     * uses each: by the earliest-used entry a pack lists; packs listing none of them go last.
     */
    static List<Pack> inFirstUseOrder(List<Pack> packs, java.util.Map<String, ?> used) {
        java.util.Map<String, Integer> rank = new java.util.HashMap<>();
        int i = 0;
        for (String action : used.keySet()) {
            rank.put(action, i++);
        }
        java.util.Map<Pack, Integer> first = new java.util.IdentityHashMap<>();
        for (Pack p : packs) {
            first.put(p, p.entries().stream().mapToInt(e -> rank.getOrDefault(e.actionId(), Integer.MAX_VALUE))
                    .min().orElse(Integer.MAX_VALUE));
        }
        List<Pack> sorted = new ArrayList<>(packs);
        sorted.sort(java.util.Comparator.comparingInt(first::get)); // stable: ties keep their order
        return sorted;
    }

    /**
     * A pack object and the entries of it this key uses. A pack kept from an earlier run may hold more
     * entries than it lists (outputs that run used and this one no longer does): readers skip
     * entries the manifest does not list.
     *
     * @param bytes    the pack object's size (-1 when not known)
     * @param packRaw  the uncompressed bytes of all entries in the pack object, listed or not
     */
    record Pack(String name, long bytes, List<Packs.Entry> entries, long packRaw) {
        /** A pack that holds exactly {@code entries}. */
        Pack(String name, long bytes, List<Packs.Entry> entries) {
            this(name, bytes, entries, entries.stream().mapToLong(Packs.Entry::size).sum());
        }

        /** The uncompressed bytes of the listed entries. */
        long rawBytes() {
            return entries.stream().mapToLong(Packs.Entry::size).sum();
        }
    }

    /** The manifest's object name for a key; characters outside {@code [A-Za-z0-9._-]} become {@code _}. */
    static String objectName(String key) {
        return "m/" + key.split("\\|", 2)[0].replaceAll("[^A-Za-z0-9._-]", "_") + ".json";
    }

    /**
     * The keys whose manifests a prefetch of {@code key} reads, first found wins: {@code A|B} reads B
     * when A has none yet (the first build of a branch prefetches what its default branch used); the
     * manifest is always written under A.
     */
    static java.util.List<String> readOrder(String key) {
        return java.util.Arrays.stream(key.split("\\|")).filter(k -> !k.isBlank()).toList();
    }

    /**
     * Whether {@code other} lists the same packs and entries, in whatever order (and the day of use
     * aside): the order of first use moves a little from run to run (go asks in parallel), and a
     * manifest rewritten for that alone would be a write on every unchanged rebuild.
     */
    boolean sameSet(PrefetchManifest other) throws IOException {
        return other != null && java.util.Arrays.equals(byName().encode(), other.byName().encode());
    }

    private PrefetchManifest byName() {
        List<Pack> sorted = new ArrayList<>(packs);
        sorted.sort(java.util.Comparator.comparing(Pack::name));
        return new PrefetchManifest(sorted, null, false);
    }

    byte[] encode() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", 1);
        if (used != null) {
            root.put("used", used.toString());
        }
        if (firstUse) {
            root.put("order", "first-use");
        }
        ArrayNode ps = root.putArray("packs");
        for (Pack p : packs) {
            ObjectNode n = ps.addObject();
            n.put("name", p.name());
            n.put("bytes", p.bytes());
            if (p.packRaw() != p.rawBytes()) {
                n.put("raw", p.packRaw()); // only for a pack holding entries it no longer lists
            }
            ArrayNode es = n.putArray("entries");
            for (Packs.Entry e : p.entries()) {
                es.addArray().add(e.actionId()).add(e.outputId()).add(e.size());
            }
        }
        return JSON.writeValueAsBytes(root);
    }

    /** Parses a manifest; null when it is damaged or of another version (then nothing is prefetched). */
    static PrefetchManifest parse(byte[] bytes) {
        try {
            JsonNode root = JSON.readTree(bytes);
            if (root.path("version").asInt() != 1) {
                return null;
            }
            List<Pack> packs = new ArrayList<>();
            for (JsonNode n : root.path("packs")) {
                List<Packs.Entry> entries = new ArrayList<>();
                for (JsonNode e : n.path("entries")) {
                    String a = e.path(0).asText();
                    String o = e.path(1).asText();
                    if (!Ids.isHex(a) || !Ids.isHex(o)) {
                        return null;
                    }
                    entries.add(new Packs.Entry(a, o, e.path(2).asLong()));
                }
                String name = n.path("name").asText();
                if (!name.matches("p/[0-9a-f]{64}\\.pack")) {
                    return null;
                }
                Pack pack = new Pack(name, n.path("bytes").asLong(), entries);
                if (n.has("raw")) {
                    pack = new Pack(name, pack.bytes(), entries, Math.max(pack.rawBytes(), n.path("raw").asLong()));
                }
                packs.add(pack);
            }
            java.time.LocalDate used = null;
            if (root.hasNonNull("used")) {
                try {
                    used = java.time.LocalDate.parse(root.get("used").asText());
                } catch (java.time.DateTimeException e) {
                    used = null; // unknown: written again by the next run
                }
            }
            return new PrefetchManifest(packs, used, "first-use".equals(root.path("order").asText()));
        } catch (IOException e) {
            return null;
        }
    }
}
