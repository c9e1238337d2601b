package io.gopipe.core.cache;

import io.gopipe.core.cache.archive.ArchiveWriter;
import io.gopipe.core.cache.archive.ArchiveExtractor;
import io.gopipe.core.cache.archive.CorruptArchiveException;
import io.gopipe.core.cache.archive.DirectoryScanner;
import io.gopipe.core.cache.archive.FileTrees;
import io.gopipe.core.cache.archive.Modes;
import io.gopipe.core.cache.archive.ProgressMeter;
import io.gopipe.core.cache.archive.SafePaths;
import io.gopipe.core.cache.archive.UnsafeArchiveException;
import io.gopipe.core.cache.archive.TarEntry;
import io.gopipe.core.cache.backend.AccessRecord;
import io.gopipe.core.cache.backend.BlobReader;
import io.gopipe.core.cache.backend.CacheBackend;
import io.gopipe.core.cache.backend.EntryRef;
import io.gopipe.core.cache.backend.StagedBlob;
import io.gopipe.core.report.Reporter;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The cache engine: restore and save of Go module and build caches against a {@link CacheBackend}.
 * Adapters (CLI, Jenkins step, shared library) call only this class and the records it takes and
 * returns.
 *
 * <p>Unless {@link CacheSettings#failOnError()} is set, no cache problem escapes: a broken or
 * missing entry, an unreachable backend, a restore over its time limit each become a miss (or a
 * skipped save) with exactly one {@link Reporter#warn} line.
 */
public final class CacheService {

    /** Blobs nobody references are removed after this grace period, which covers saves in flight. */
    private static final Duration ORPHAN_GRACE = Duration.ofHours(6);

    private final CacheBackend backend;
    private final Reporter reporter;
    private final CacheSettings settings;

    public CacheService(CacheBackend backend, Reporter reporter, CacheSettings settings) {
        this.backend = backend;
        this.reporter = reporter;
        this.settings = settings;
    }

    private record Match(EntryRef ref, Manifest manifest, boolean exact) {
    }

    /** Restores the exact key or the newest entry of the first matching restore-key prefix into the request's path. */
    public RestoreResult restore(CacheRequest request) {
        long start = System.nanoTime();
        String key = request.key().key();
        Match match = null;
        try {
            Optional<Match> found = resolve(request.key(), true);
            if (found.isEmpty()) {
                reporter.info("cache miss: no entry for " + key + " or its restore keys in " + backend.describe());
                return RestoreResult.miss(since(start), null);
            }
            match = found.get();
            Manifest m = match.manifest();
            extract(m, request.path());
            recordHit(m.key());
            Duration took = since(start);
            reporter.info(String.format(Locale.ROOT, "cache hit (%s): %s -> %s, %d files, %s in %.1f s",
                    match.exact() ? "exact" : "restore key", m.key(), request.path(), m.files(),
                    human(m.fileBytes()), took.toMillis() / 1000.0));
            return new RestoreResult(true, match.exact(), m.key(), m.files(), m.fileBytes(), m.archiveBytes(), took, null);
        } catch (Exception e) {
            String which = match == null ? key : match.manifest().key();
            String problem = "cache restore of " + which + " from " + backend.describe() + " failed: " + message(e);
            if (e instanceof CorruptArchiveException && match != null) {
                problem += dropBroken(match);
            }
            if (settings.failOnError()) {
                throw new CacheException(problem, e);
            }
            problem += "; continuing without cache";
            reporter.warn(problem);
            return RestoreResult.miss(since(start), problem);
        }
    }

    /**
     * Saves the request's path under its exact key unless the key exists, the store is read-only,
     * or (module cache) no module@version directory is new compared with the entry it would restore.
     */
    public SaveResult save(CacheRequest asked) {
        CacheRequest request = asked.forSave();
        long start = System.nanoTime();
        String key = request.key().key();
        Optional<SaveResult> early = beforeStore(request, settings, reporter);
        if (early.isPresent()) {
            return early.get();
        }
        try {
            sweepAbandoned();
            if (existing(key).isPresent()) {
                reporter.info("cache entry " + key + " exists (entries are immutable): nothing to save");
                return new SaveResult(SaveResult.Status.EXISTS, key, 0, 0, 0, since(start), null);
            }
            Manifest base = null;
            if (request.policy() == CachePolicy.MOD) {
                base = resolve(request.key(), false).map(Match::manifest).filter(m -> m.modules() != null).orElse(null);
            }
            return archiveAndPublish(request, base, start);
        } catch (Exception e) {
            String problem = "cache save of " + key + " to " + backend.describe() + " failed: " + message(e);
            if (settings.failOnError()) {
                throw new CacheException(problem, e);
            }
            problem += "; the build goes on";
            reporter.warn(problem);
            return new SaveResult(SaveResult.Status.FAILED, key, 0, 0, 0, since(start), problem);
        }
    }

    /**
     * The answers a save gives without its store: read-only, or no folder to save (a warning, or an
     * error with failOnError).
     */
    static Optional<SaveResult> beforeStore(CacheRequest request, CacheSettings settings, Reporter reporter) {
        String key = request.key().key();
        if (settings.readOnly()) {
            reporter.info("cache is read-only: not saving " + key);
            return Optional.of(new SaveResult(SaveResult.Status.READ_ONLY, key, 0, 0, 0, Duration.ZERO, null));
        }
        Path path = request.path();
        if (Files.isDirectory(path)) {
            return Optional.empty();
        }
        String problem = "nothing to save for " + key + ": " + path
                + (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? " is not a directory" : " does not exist");
        if (settings.failOnError()) {
            throw new CacheException("cache save of " + key + " failed: " + problem);
        }
        reporter.warn(problem + "; the build goes on");
        return Optional.of(new SaveResult(SaveResult.Status.MISSING, key, 0, 0, 0, Duration.ZERO, problem));
    }

    /** The walk ended the save early: the outcome is decided, the archive is discarded. */
    private static final class SaveStopped extends RuntimeException {
        private final transient SaveResult result;

        SaveStopped(SaveResult result) {
            super(null, null, false, false);
            this.result = result;
        }
    }

    /** Signals that a build cache outgrew its cap during the walk and must be trimmed first. */
    private static final class OverCap extends RuntimeException {
        OverCap() {
            super(null, null, false, false);
        }
    }

    /**
     * Walks the tree and compresses at the same time, so the archive is mostly written when the walk
     * ends. Decisions that need the whole tree (no new modules, over the cap) are taken when the walk
     * ends or the cap is passed, and then discard the partial archive.
     */
    private SaveResult archiveAndPublish(CacheRequest request, Manifest base, long start) throws IOException {
        String key = request.key().key();
        Path path = request.path();
        StagedBlob staged = backend.stage(key);
        boolean handedOver = false;
        try {
            ProgressMeter meter = new ProgressMeter(reporter, "save " + key, -1, -1, settings.progressInterval());
            ArchiveWriter writer = new ArchiveWriter(settings.threads(), settings.compressionLevel());
            TreeTally tally = new TreeTally(request.policy() == CachePolicy.MOD);
            ArchiveWriter.Result written;
            try (FileChannel out = FileChannel.open(staged.file(), StandardOpenOption.WRITE)) {
                try {
                    written = streamTree(writer, path, out, meter, tally, base, request, start);
                } catch (OverCap over) {
                    // Build cache: keep the newest files that fit, which needs the whole listing first.
                    out.truncate(0);
                    DirectoryScanner.Scan scan = UnsafeLinks.without(DirectoryScanner.scan(path, request::excludes))
                            .keepNewest(settings.maxEntryBytes());
                    meter = new ProgressMeter(reporter, "save " + key, scan.fileBytes(), scan.files(), settings.progressInterval());
                    written = writer.write(scan, out, meter);
                    tally = TreeTally.of(scan);
                }
            } catch (SaveStopped stopped) {
                return stopped.result;
            }
            meter.finish();
            GoPlatform go = request.platform();
            Manifest manifest = new Manifest(Manifest.FORMAT, key, request.policy().id(), staged.blob(),
                    System.currentTimeMillis(), go == null ? "" : go.goVersion(), go == null ? "" : go.goos(),
                    go == null ? "" : go.goarch(), tally.files(), tally.fileBytes(), written.archiveBytes(),
                    written.chunks(), tally.modules());
            ProgressMeter upload = new ProgressMeter(reporter, "upload " + key, written.archiveBytes(), -1,
                    settings.progressInterval());
            handedOver = true;
            CacheBackend.Publish outcome = backend.publish(staged, manifest.toJson(), upload);
            Duration took = since(start);
            if (outcome == CacheBackend.Publish.ALREADY_EXISTS) {
                reporter.info("another job saved " + key + " first; discarded this copy");
                return new SaveResult(SaveResult.Status.LOST_RACE, key, tally.files(), tally.fileBytes(),
                        written.archiveBytes(), took, null);
            }
            try {
                backend.recordAccess(key, new AccessRecord(Instant.now(), 0));
            } catch (IOException ignored) {
                // usage records are advisory
            }
            reporter.info(String.format(Locale.ROOT, "cache saved: %s, %d files, %s -> %s in %.1f s", key, tally.files(),
                    human(tally.fileBytes()), human(written.archiveBytes()), took.toMillis() / 1000.0));
            if (settings.maxTotalBytes() > 0 || !settings.maxAge().isZero()) {
                PruneResult pruned = prune(settings.maxTotalBytes(), settings.maxAge());
                if (!pruned.evicted().isEmpty()) {
                    reporter.info("evicted " + pruned.evicted().size() + " cache entries: " + String.join(", ", pruned.evicted()));
                }
            }
            return new SaveResult(SaveResult.Status.SAVED, key, tally.files(), tally.fileBytes(), written.archiveBytes(), took, null);
        } finally {
            if (!handedOver) {
                backend.discard(staged);
            }
        }
    }

    private ArchiveWriter.Result streamTree(ArchiveWriter writer, Path path, FileChannel out, ProgressMeter meter,
                                            TreeTally tally, Manifest base, CacheRequest request, long start)
            throws IOException {
        String key = request.key().key();
        long cap = settings.maxEntryBytes();
        try (ArchiveWriter.Session session = writer.open(path, out, meter)) {
            UnsafeLinks unsafe = new UnsafeLinks();
            DirectoryScanner.walk(path, request::excludes, e -> {
                if (unsafe.skip(e)) {
                    return;
                }
                tally.add(e);
                if (cap > 0 && tally.fileBytes() > cap) {
                    if (request.policy() != CachePolicy.MOD) {
                        throw new OverCap();
                    }
                    String problem = "module cache " + path + " holds more than the cap of " + human(cap) + ": not saving " + key;
                    reporter.warn(problem);
                    throw new SaveStopped(new SaveResult(SaveResult.Status.TOO_LARGE, key, tally.files(), tally.fileBytes(), 0,
                            since(start), problem));
                }
                session.add(e);
            }, () -> { });
            unsafe.report(key);
            meter.totals(tally.fileBytes(), tally.files());
            if (base != null && new HashSet<>(base.modules()).containsAll(tally.modules())) {
                reporter.info("no new modules since " + base.key() + ": not saving " + key);
                throw new SaveStopped(new SaveResult(SaveResult.Status.UNCHANGED, key, 0, 0, 0, since(start), null));
            }
            if (tally.entries() == 0) {
                reporter.info("nothing to save for " + key + ": " + path + " is empty");
                throw new SaveStopped(new SaveResult(SaveResult.Status.EMPTY, key, 0, 0, 0, since(start), null));
            }
            return session.finish();
        }
    }

    /**
     * Symlinks that restore would refuse (absolute, or leaving the cache). Saving them would
     * give an entry that every restore deletes and the next build saves again, so they are left
     * out with one warning per save.
     */
    private final class UnsafeLinks {
        private int count;
        private String first;

        boolean skip(TarEntry e) {
            if (e.type() != TarEntry.Type.SYMLINK || safe(e)) {
                return false;
            }
            if (count++ == 0) {
                first = e.path() + " -> " + e.linkTarget();
            }
            return true;
        }

        void report(String key) {
            if (count > 0) {
                reporter.warn("cache save of " + key + ": left out " + count + " symlink(s) pointing outside the cache"
                        + " (restore refuses them), e.g. " + first);
            }
        }

        static boolean safe(TarEntry e) {
            try {
                SafePaths.checkSymlinkTarget(e.path(), e.linkTarget());
                return true;
            } catch (UnsafeArchiveException refused) {
                return false;
            }
        }

        static DirectoryScanner.Scan without(DirectoryScanner.Scan scan) {
            List<TarEntry> kept = scan.entries().stream().filter(e -> e.type() != TarEntry.Type.SYMLINK || safe(e)).toList();
            return new DirectoryScanner.Scan(scan.root(), kept, scan.fileBytes(), scan.files(), scan.skipped());
        }
    }

    /** The entry under exactly {@code key}; a damaged manifest is removed and counts as no entry. */
    private Optional<Match> existing(String key) throws IOException {
        Optional<EntryRef> ref = backend.find(key);
        if (ref.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(load(ref.get(), true));
        } catch (CorruptArchiveException broken) {
            dropUnreadable(key, broken);
            return Optional.empty();
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        }
    }

    /**
     * A manifest that cannot be read blocks its key forever (restores miss, saves say "exists"): it
     * is removed, unless the store is read-only, and the entry treated as absent. Its archive, whose
     * name only the manifest knew, goes with the next prune's sweep of unreferenced blobs.
     */
    private void dropUnreadable(String key, CorruptArchiveException why) {
        String action = "treated as absent";
        if (!settings.readOnly()) {
            try {
                backend.delete(key, null);
                action = "removed, so the next save replaces it";
            } catch (IOException | RuntimeException e) {
                action = "treated as absent (could not remove it: " + message(e) + ")";
            }
        }
        reporter.warn(message(why) + ": " + action);
    }

    private void sweepAbandoned() {
        try {
            int removed = backend.sweepAbandoned();
            if (removed > 0) {
                reporter.info("removed " + removed + " file(s) that interrupted saves left in " + backend.describe());
            }
        } catch (IOException | RuntimeException e) {
            // housekeeping only: the save goes on
        }
    }

    /** Entries whose key starts with {@code prefix}, newest first, with their metadata; unreadable ones are skipped. */
    public List<EntryInfo> list(String prefix) throws IOException {
        List<EntryInfo> infos = new ArrayList<>();
        for (EntryRef ref : backend.list(prefix == null ? "" : prefix)) {
            info(ref).ifPresent(infos::add);
        }
        infos.sort(Comparator.comparing(EntryInfo::created).reversed());
        return infos;
    }

    /** Totals over the whole store. */
    public CacheStats stats() throws IOException {
        List<EntryInfo> all = list("");
        Set<String> referenced = new HashSet<>();
        all.forEach(e -> referenced.add(e.blob()));
        CacheBackend.Leftovers left = backend.leftovers(referenced);
        return new CacheStats(all.size(), all.stream().mapToLong(EntryInfo::archiveBytes).sum(),
                all.stream().mapToLong(EntryInfo::fileBytes).sum(), all.stream().mapToLong(EntryInfo::files).sum(),
                all.stream().mapToLong(EntryInfo::hits).sum(), left.files(), left.bytes());
    }

    /**
     * Evicts entries unused for longer than {@code maxAge} (zero: keep), then the least recently
     * used until the stored total fits {@code maxTotalBytes} (0: no cap); removes entries with
     * unreadable manifests and blobs no manifest references.
     */
    public PruneResult prune(long maxTotalBytes, Duration maxAge) throws IOException {
        List<EntryInfo> live = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        for (EntryRef ref : backend.list("")) {
            try {
                live.add(infoOrThrow(ref));
            } catch (CorruptArchiveException e) {
                backend.delete(ref.key(), null);
                broken.add(ref.key());
            } catch (NoSuchFileException gone) {
                // removed by someone else
            }
        }
        live.sort(Comparator.comparing(EntryInfo::lastAccess));
        List<String> evicted = new ArrayList<>();
        Instant cutoff = maxAge == null || maxAge.isZero() ? null : Instant.now().minus(maxAge);
        long total = live.stream().mapToLong(EntryInfo::archiveBytes).sum();
        Set<String> referenced = new HashSet<>();
        List<EntryInfo> kept = new ArrayList<>();
        for (EntryInfo e : live) {
            boolean old = cutoff != null && e.lastAccess().isBefore(cutoff);
            boolean over = maxTotalBytes > 0 && total > maxTotalBytes;
            if (old || over) {
                backend.delete(e.key(), e.blob());
                evicted.add(e.key());
                total -= e.archiveBytes();
            } else {
                kept.add(e);
                referenced.add(e.blob());
            }
        }
        int orphans = backend.sweepAbandoned() + backend.sweep(referenced, ORPHAN_GRACE);
        return new PruneResult(evicted, broken, orphans, kept.size(), total);
    }

    private Optional<EntryInfo> info(EntryRef ref) throws IOException {
        try {
            return Optional.of(infoOrThrow(ref));
        } catch (CorruptArchiveException | NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private EntryInfo infoOrThrow(EntryRef ref) throws IOException {
        Manifest m = Manifest.parse(backend.readManifest(ref.key()), ref.key());
        Optional<AccessRecord> access = backend.readAccess(ref.key());
        Instant created = m.createdAt();
        Instant last = access.map(AccessRecord::lastAccess).orElse(created);
        return new EntryInfo(m.key(), m.policy(), m.files(), m.fileBytes(), m.archiveBytes(), created, last,
                access.map(AccessRecord::hits).orElse(0L), m.goVersion(), m.blob());
    }

    private Optional<Match> resolve(CacheKey key, boolean exactFirst) throws IOException {
        if (exactFirst) {
            Optional<Match> exact = existing(key.key());
            if (exact.isPresent()) {
                return exact;
            }
        }
        for (String prefix : key.restoreKeys()) {
            Optional<Match> newest = newest(backend.list(prefix), key.key());
            if (newest.isPresent()) {
                return newest;
            }
        }
        return Optional.empty();
    }

    /**
     * The newest entry. Listing times can be coarse (S3: seconds), so the entries listed within a
     * second of the newest are ordered by the millisecond creation time in their manifests.
     */
    private Optional<Match> newest(List<EntryRef> refs, String exactKey) throws IOException {
        Optional<Instant> latest = refs.stream().map(EntryRef::created).max(Comparator.naturalOrder());
        if (latest.isEmpty()) {
            return Optional.empty();
        }
        Instant floor = latest.get().minusSeconds(1);
        Match best = null;
        for (EntryRef ref : refs) {
            if (ref.created().isBefore(floor)) {
                continue;
            }
            Match m;
            try {
                m = load(ref, ref.key().equals(exactKey));
            } catch (NoSuchFileException gone) {
                continue;
            } catch (CorruptArchiveException broken) {
                dropUnreadable(ref.key(), broken);
                continue;
            }
            if (best == null || m.manifest().created() > best.manifest().created()
                    || (m.manifest().created() == best.manifest().created() && m.ref().key().compareTo(best.ref().key()) > 0)) {
                best = m;
            }
        }
        return Optional.ofNullable(best);
    }

    private Match load(EntryRef ref, boolean exact) throws IOException {
        return new Match(ref, Manifest.parse(backend.readManifest(ref.key()), ref.key()), exact);
    }

    private void extract(Manifest m, Path requested) throws IOException {
        Path target = RestoreTrees.followLink(requested);
        if (Files.exists(target) && !Files.isDirectory(target)) {
            // before anything is read: extracting a whole entry only to fail on the move is wasted time
            throw new CacheException("restore target " + target + " exists and is not a directory");
        }
        Path parent = target.getParent();
        Files.createDirectories(parent);
        int stale = RestoreTrees.removeAbandoned(target);
        if (stale > 0) {
            reporter.info("removed " + stale + " unfinished restore(s) of " + target + " that interrupted runs left behind");
        }
        try (RestoreTrees.Temp temp = RestoreTrees.create(target)) {
            ProgressMeter meter = new ProgressMeter(reporter, "restore " + m.key(), m.fileBytes(), m.files(),
                    settings.progressInterval());
            try (BlobReader blob = backend.openBlob(m.blob())) {
                ArchiveExtractor extractor = new ArchiveExtractor(temp.dir(), settings.extractThreads(), meter, settings.timeLimit());
                if (Files.isDirectory(target)) {
                    extractor.mergingInto(target); // identical files already there are checked, not written again
                }
                extractor.extract(m.chunks(), blob, m.key());
            } catch (NoSuchFileException gone) {
                throw new CorruptArchiveException("archive " + m.blob() + " of " + m.key() + " is missing");
            }
            if (meter.files() != m.files() || meter.bytes() != m.fileBytes()) {
                throw new CorruptArchiveException("entry " + m.key() + " restored " + meter.files() + " files / "
                        + meter.bytes() + " bytes, manifest says " + m.files() + " / " + m.fileBytes());
            }
            meter.finish();
            // Merging into an existing tree compares every file: minutes on a large cache, so it reports too.
            ProgressMeter merge = new ProgressMeter(reporter, "merge " + m.key() + " into " + target, -1, -1,
                    settings.progressInterval());
            FileTrees.moveIntoPlace(temp.dir(), target, merge);
            if (merge.files() > 0) {
                merge.finish();
            }
        }
    }

    private void recordHit(String key) {
        try {
            long hits = backend.readAccess(key).map(AccessRecord::hits).orElse(0L);
            backend.recordAccess(key, new AccessRecord(Instant.now(), hits + 1));
        } catch (IOException | RuntimeException ignored) {
            // usage records are advisory; a read-only store may refuse them
        }
    }

    private String dropBroken(Match match) {
        if (settings.readOnly()) {
            return "";
        }
        try {
            backend.delete(match.manifest().key(), match.manifest().blob());
            return " (broken entry removed so the next save can replace it)";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** One line for a warning: file-system errors name the path and the reason (JDK messages often give only the path). */
    static String message(Throwable e) {
        if (e instanceof java.nio.file.FileSystemException fs) {
            return FileProblems.describe(fs);
        }
        String m = e.getMessage();
        String text = m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
        return text.lines().findFirst().orElse(text);
    }

    static String human(long bytes) {
        return io.gopipe.core.report.ByteSizes.human(bytes, " ");
    }
}
