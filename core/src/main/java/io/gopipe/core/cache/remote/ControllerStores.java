package io.gopipe.core.cache.remote;

import io.gopipe.core.cache.CacheService;
import io.gopipe.core.cache.CacheSettings;
import io.gopipe.core.cache.EntryInfo;
import io.gopipe.core.cache.PruneResult;
import io.gopipe.core.cache.backend.LocalBackend;
import io.gopipe.core.report.Reporter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The cache store a Jenkins controller keeps in its own file system, split into namespaces (one per
 * job or per folder, as the administrator chooses). Layout: {@code <root>/ns/<encoded namespace>/}
 * is one {@link LocalBackend}, with a {@code namespace} file holding the name it stands for.
 *
 * <p>Agents get {@link #forAgent} (export it over the agent channel); only the controller prunes,
 * with {@link #prune}.
 */
public final class ControllerStores {

    private static final String NAMESPACES = "ns";
    private static final String NAME_FILE = "namespace";
    /** Encoded names longer than this end in a hash instead, to stay well within file-name limits. */
    private static final int MAX_DIR_NAME = 120;

    private ControllerStores() {
    }

    /**
     * The store one agent may use: reads and writes {@code namespace}, or only reads it.
     *
     * @param root     the store's directory on the controller, e.g. {@code $JENKINS_HOME/gopipe-cache}
     * @param readOnly whether the build may save, delete or record nothing but restores
     */
    public static RemoteStore forAgent(Path root, String namespace, boolean readOnly) throws IOException {
        return forAgent(root, new StoreAccess(readOnly ? null : namespace, List.of(namespace)));
    }

    /** The store one agent may use, as {@code access} allows (see {@link StoreAccess#forBuild}). */
    public static RemoteStore forAgent(Path root, StoreAccess access) throws IOException {
        LocalBackend write = access.readOnly() ? null : namespace(root, access.writeNamespace());
        List<LocalBackend> reads = new ArrayList<>();
        for (String ns : access.readNamespaces()) {
            if (ns.equals(access.writeNamespace())) {
                reads.add(write);
            } else if (Files.isDirectory(dir(root, ns))) {
                reads.add(namespace(root, ns));
            } // a namespace nobody wrote yet has nothing to read
        }
        return new AgentStoreServer(access, write, reads);
    }

    /** Opens (creating it when missing) the backend of one namespace; for the controller only. */
    public static LocalBackend namespace(Path root, String namespace) throws IOException {
        Path dir = dir(root, namespace);
        LocalBackend backend = new LocalBackend(dir);
        Path name = dir.resolve(NAME_FILE);
        if (!Files.exists(name)) {
            Files.writeString(name, namespace + "\n", StandardCharsets.UTF_8);
        }
        return backend;
    }

    /** The namespaces that exist under {@code root}, by the names they stand for. */
    public static List<String> namespaces(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path d : namespaceDirs(root)) {
            out.add(nameOf(d));
        }
        return out;
    }

    private static String nameOf(Path dir) throws IOException {
        Path name = dir.resolve(NAME_FILE);
        return Files.exists(name) ? Files.readString(name, StandardCharsets.UTF_8).strip() : dir.getFileName().toString();
    }

    /**
     * Prunes the whole store on the controller's behalf: entries unused for longer than
     * {@code maxAge} go first (zero: no age limit), then the least recently used ones, across all
     * namespaces, until the stored archives fit {@code maxTotalBytes} (0: no cap). Afterwards each
     * namespace drops entries with unreadable manifests and blobs no entry references (after the
     * engine's grace period, which covers saves in flight). Evicted entries are named
     * {@code namespace#key}.
     */
    public static PruneResult prune(Path root, long maxTotalBytes, Duration maxAge) throws IOException {
        record Item(String namespace, LocalBackend backend, EntryInfo info) {
        }
        List<Item> items = new ArrayList<>();
        List<LocalBackend> backends = new ArrayList<>();
        List<String> names = new ArrayList<>();
        CacheSettings settings = CacheSettings.defaults();
        for (Path dir : namespaceDirs(root)) {
            LocalBackend b = new LocalBackend(dir);
            backends.add(b);
            names.add(nameOf(dir));
            int i = names.size() - 1;
            for (EntryInfo e : new CacheService(b, Reporter.silent(), settings).list("")) {
                items.add(new Item(names.get(i), b, e));
            }
        }
        items.sort(Comparator.comparing((Item it) -> it.info().lastAccess()));
        Instant cutoff = maxAge == null || maxAge.isZero() || maxAge.isNegative() ? null : Instant.now().minus(maxAge);
        long total = items.stream().mapToLong(it -> it.info().archiveBytes()).sum();
        List<String> evicted = new ArrayList<>();
        int kept = 0;
        for (Item it : items) {
            boolean old = cutoff != null && it.info().lastAccess().isBefore(cutoff);
            boolean over = maxTotalBytes > 0 && total > maxTotalBytes;
            if (old || over) {
                it.backend().delete(it.info().key(), it.info().blob());
                evicted.add(it.namespace() + "#" + it.info().key());
                total -= it.info().archiveBytes();
            } else {
                kept++;
            }
        }
        List<String> broken = new ArrayList<>();
        int orphans = 0;
        for (int i = 0; i < backends.size(); i++) {
            PruneResult r = new CacheService(backends.get(i), Reporter.silent(), settings).prune(0, Duration.ZERO);
            for (String k : r.broken()) {
                broken.add(names.get(i) + "#" + k);
            }
            orphans += r.orphans();
        }
        return new PruneResult(evicted, broken, orphans, kept, total);
    }

    /**
     * The directory of a namespace on the controller (it may not exist yet); other stores of the
     * same namespace, such as the remote Go build cache's objects, live below it.
     */
    public static Path namespaceDir(Path root, String namespace) {
        return dir(root, namespace);
    }

    /** The directory of a namespace: its name percent-encoded (so never {@code ..} or a '/'), hashed when long. */
    static Path dir(Path root, String namespace) {
        return root.toAbsolutePath().normalize().resolve(NAMESPACES).resolve(encode(namespace));
    }

    static String encode(String namespace) {
        if (namespace.isEmpty()) {
            return "~root";
        }
        StringBuilder b = new StringBuilder();
        for (byte x : namespace.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                b.append(c);
            } else {
                b.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) x));
            }
        }
        if (b.length() <= MAX_DIR_NAME) {
            return b.toString();
        }
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(namespace.getBytes(StandardCharsets.UTF_8));
            return b.substring(0, MAX_DIR_NAME - 34) + "~" + HexFormat.of().formatHex(sha, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static List<Path> namespaceDirs(Path root) throws IOException {
        Path base = root.toAbsolutePath().normalize().resolve(NAMESPACES);
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(base)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(base, Files::isDirectory)) {
            ds.forEach(out::add);
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }
}
