package io.gopipe.core.affected;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.eclipse.jgit.lib.ObjectId;

/**
 * Thread-safe cache of scanned source files keyed by git blob id (content-addressed, so it is valid
 * for every revision and every build target: constraints are evaluated after the scan). Share one
 * instance across calls, e.g. for the lifetime of a Jenkins agent JVM, so unchanged files are
 * never read or parsed twice.
 */
public final class ParseCache {

    private static final int FORMAT = 1;
    /**
     * The default bound on the estimated size of the cached scans: about 150,000 files, so a
     * monorepo of tens of thousands of Go files keeps both revisions of a diff, while an agent that
     * lives for months and sees many repositories stays within a fixed share of its heap.
     */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    private final WeightedLru<Object, ScannedFile> entries;
    /** The last few tree listings (tree id -> path -> blob id): a new tree is derived from one by a cheap tree diff. */
    private final Map<ObjectId, Map<String, ObjectId>> listings = new java.util.LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ObjectId, Map<String, ObjectId>> eldest) {
            return size() > 4;
        }
    };

    /** A cache bounded by {@link #DEFAULT_MAX_BYTES}. */
    public ParseCache() {
        this(DEFAULT_MAX_BYTES);
    }

    /**
     * A cache that drops its least recently used scans once their estimated size passes
     * {@code maxBytes}.
     */
    public ParseCache(long maxBytes) {
        this.entries = new WeightedLru<>(maxBytes, e -> estimate(e.getKey(), e.getValue()));
    }

    /** Number of cached files. */
    public int size() {
        return entries.size();
    }

    /** Estimated heap held by the cached scans, in bytes; at most the bound given at construction. */
    public long estimatedBytes() {
        return entries.weight();
    }

    /**
     * Rough heap size of one entry: object headers and references plus two bytes per character.
     * Only has to be proportional to the truth for the bound to hold on a real heap.
     */
    static long estimate(Object key, ScannedFile f) {
        long size = 96 + 64; // map node, key and value objects
        if (key instanceof SizedKey k) {
            size += k.estimatedBytes();
        }
        size += text(f.packageName()) + text(f.goBuild());
        size += list(f.imports()) + list(f.plusBuild()) + list(f.embeds()) + list(f.cgoDirs());
        return size;
    }

    /** Keys that hold more than a fixed-size id (working-tree paths) say how much. */
    interface SizedKey {
        long estimatedBytes();
    }

    private static long text(String s) {
        return s == null ? 0 : 48 + 2L * s.length();
    }

    private static long list(List<String> l) {
        long size = 24 + 8L * l.size();
        for (String s : l) {
            size += text(s);
        }
        return size;
    }

    ScannedFile get(Object key) {
        return entries.get(key);
    }

    ScannedFile computeIfAbsent(Object key, Supplier<ScannedFile> scan) {
        ScannedFile f = entries.get(key);
        if (f == null) {
            f = entries.putIfAbsent(key, scan.get());
        }
        return f;
    }

    synchronized Map<String, ObjectId> listing(ObjectId tree) {
        return listings.get(tree);
    }

    synchronized void putListing(ObjectId tree, Map<String, ObjectId> listing) {
        listings.put(tree.copy(), listing);
    }

    /** The most recently used listing, or null. */
    synchronized Map.Entry<ObjectId, Map<String, ObjectId>> recentListing() {
        Map.Entry<ObjectId, Map<String, ObjectId>> last = null;
        for (Map.Entry<ObjectId, Map<String, ObjectId>> e : listings.entrySet()) {
            last = e;
        }
        return last == null ? null : Map.entry(last.getKey(), last.getValue());
    }

    /** Key of a Go file (blob id) or a non-Go file (its id wrapped, since it is scanned differently). */
    static Object key(ObjectId blob, boolean goFile) {
        return goFile ? blob : new NonGo(blob);
    }

    private record NonGo(ObjectId id) {
    }

    /**
     * Adds the entries saved by {@link #save} (blob-keyed ones only). A missing file is no error;
     * an unreadable one is ignored (the cache is only an accelerator) and reported as false.
     */
    public boolean load(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            if (in.readInt() != FORMAT) {
                return false;
            }
            int n = in.readInt();
            byte[] id = new byte[20];
            for (int i = 0; i < n; i++) {
                boolean go = in.readBoolean();
                in.readFully(id);
                String pkg = readNullable(in);
                List<String> imports = readList(in);
                String goBuild = readNullable(in);
                List<String> plus = readList(in);
                List<String> embeds = readList(in);
                List<String> cgo = readList(in);
                entries.putIfAbsent(key(ObjectId.fromRaw(id), go),
                        new ScannedFile(pkg, imports, goBuild, plus, embeds, cgo));
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Writes the blob-keyed entries to {@code file} atomically (temp file + rename). */
    public void save(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".parse-cache", ".tmp");
        try {
            List<Map.Entry<Object, ScannedFile>> list = new ArrayList<>();
            for (Map.Entry<Object, ScannedFile> e : entries.snapshot()) {
                if (e.getKey() instanceof ObjectId || e.getKey() instanceof NonGo) {
                    list.add(e);
                }
            }
            try (OutputStream raw = Files.newOutputStream(tmp);
                 DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16))) {
                out.writeInt(FORMAT);
                out.writeInt(list.size());
                byte[] id = new byte[20];
                for (Map.Entry<Object, ScannedFile> e : list) {
                    boolean go = e.getKey() instanceof ObjectId;
                    ObjectId oid = go ? (ObjectId) e.getKey() : ((NonGo) e.getKey()).id();
                    out.writeBoolean(go);
                    oid.copyRawTo(id, 0);
                    out.write(id);
                    ScannedFile f = e.getValue();
                    writeNullable(out, f.packageName());
                    writeList(out, f.imports());
                    writeNullable(out, f.goBuild());
                    writeList(out, f.plusBuild());
                    writeList(out, f.embeds());
                    writeList(out, f.cgoDirs());
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void writeList(DataOutputStream out, List<String> list) throws IOException {
        out.writeShort(list.size());
        for (String s : list) {
            out.writeUTF(s);
        }
    }

    private static List<String> readList(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        if (n == 0) {
            return List.of();
        }
        String[] a = new String[n];
        for (int i = 0; i < n; i++) {
            a[i] = in.readUTF().intern();
        }
        return List.of(a);
    }
}
