package io.gopipe.core.image;

import io.gopipe.core.exec.CommandResult;
import io.gopipe.core.report.Reporter;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Carries the agent's Go caches into the BuildKit cache mounts of the Dockerfiles and their new
 * entries back out (cache mounts are never exported by any BuildKit cache backend): before the
 * builds, one small build copies each agent folder (a named context) into the cache mount with the
 * Dockerfile's id; after them, another copies out only the files written since, as a local export,
 * and they are moved into the agent's folder. The mounts come from parsing each Dockerfile
 * ({@link GoCacheMounts}), so a user's own Dockerfile needs nothing added. Once per job, not per
 * service. Any trouble is one warning and a cold cache, never a failed build.
 */
final class CacheMountSync {

    /** Marker written into each filled cache: the mount was filled from the agent. */
    static final String MARKER = ".gopipe-filled";

    /** The files the agent seeded into a mount: the rest is what builds added, and goes back. */
    static final String SEEDED = ".gopipe-seeded";

    /** The generated Dockerfile's mounts (go-service.Dockerfile: default ids = targets). */
    static final List<GoCacheMounts.Mount> GENERATED = List.of(
            new GoCacheMounts.Mount(GoCacheMounts.Kind.GOMODCACHE, GoCacheMounts.DEFAULT_GOMODCACHE, "", null, null),
            new GoCacheMounts.Mount(GoCacheMounts.Kind.GOCACHE, GoCacheMounts.DEFAULT_GOCACHE, "", null, null));

    /** One cache mount and the agent folder it is synced with. */
    record Link(GoCacheMounts.Mount mount, Path agentDir) {
    }

    private final BuildDriver driver;
    private final ProcessRunner runner;
    private final Reporter reporter;
    private final Path workRoot;
    private final Duration timeout;

    CacheMountSync(BuildDriver driver, ProcessRunner runner, Reporter reporter, Path workRoot, Duration timeout) {
        this.driver = driver;
        this.runner = runner;
        this.reporter = reporter;
        this.workRoot = workRoot;
        this.timeout = timeout;
    }

    /** The cache mounts to sync for these requests: Dockerfile mode with {@code --gocache}/{@code --gomodcache}. */
    static List<Link> links(List<ImageBuildRequest> requests) {
        Map<String, Link> byId = new LinkedHashMap<>();
        for (ImageBuildRequest r : requests) {
            if (r.mode() != BuildMode.DOCKERFILE || (r.goBuildCache() == null && r.goModCache() == null)) {
                continue;
            }
            List<GoCacheMounts.Mount> mounts = r.dockerfile() == null ? GENERATED : GoCacheMounts.of(r.dockerfile());
            for (GoCacheMounts.Mount m : mounts) {
                Path dir = m.kind() == GoCacheMounts.Kind.GOCACHE ? r.goBuildCache() : r.goModCache();
                if (dir != null) {
                    byId.putIfAbsent(m.id(), new Link(m, dir.toAbsolutePath().normalize()));
                }
            }
        }
        return List.copyOf(byId.values());
    }

    /** Filled caches, ready to be read back with {@link #export()}. */
    final class Session {
        private final List<Link> links;
        private final String helperImage;
        private final String network;

        private Session(List<Link> links, String helperImage, String network) {
            this.links = links;
            this.helperImage = helperImage;
            this.network = network;
        }

        /** Whether there are cache mounts to read back (the job uses design (a)). */
        boolean active() {
            return !links.isEmpty();
        }

        /** Copies what the builds added to the cache mounts into the agent folders. */
        void export() {
            if (links.isEmpty()) {
                return;
            }
            long start = System.nanoTime();
            Path work = null;
            try {
                work = Files.createTempDirectory(Files.createDirectories(workRoot), "gopipe-cache-export-");
                Path out = Files.createDirectories(work.resolve("out"));
                StringBuilder df = new StringBuilder("FROM " + helperImage + " AS export\nARG GOPIPE_NONCE\nRUN ");
                List<String> script = new ArrayList<>();
                for (int i = 0; i < links.size(); i++) {
                    df.append(cacheMount(links.get(i).mount(), "/m/" + i)).append(" \\\n    ");
                    String dir = "/m/" + i + sub(links.get(i).mount());
                    // Everything the agent did not seed (a set difference, not `find -newer`: busybox compares
                    // whole seconds, so entries written in the fill's last second would be missed).
                    script.add("mkdir -p /out/" + i + " && mkdir -p " + dir + " && cd " + dir + " && (if [ -e " + SEEDED
                            + " ]; then find . -type f | awk 'FILENAME == ARGV[1] { seeded[$0] = 1; next } !($0 in seeded)' "
                            + SEEDED + " -; else find . -type f; fi)"
                            + " | grep -v -e '/" + MARKER + "$' -e '/" + SEEDED + "$'"
                            + " | xargs -r sh -c 'tar -cf - \"$@\" | tar -xf - -C /out/" + i + "' sh");
                }
                df.append(String.join(" && \\\n    ", script)).append("\nFROM scratch\nCOPY --from=export /out/ /\n");
                run("export", work, df.toString(), Map.of(), out, network);
                for (int i = 0; i < links.size(); i++) {
                    Link l = links.get(i);
                    int[] moved = merge(out.resolve(Integer.toString(i)), l.agentDir());
                    reporter.info("cache mount " + l.mount().id() + ": " + moved[0] + " new files copied back to "
                            + l.agentDir() + (moved[1] > 0 ? " (" + moved[1] + " already there)" : ""));
                }
                reporter.info(String.format("read the cache mounts back in %.1f s", seconds(start)));
            } catch (IOException | ImageException e) {
                reporter.warn("could not read the Go cache mounts back (the images are fine; the next build is colder): "
                        + e.getMessage());
            } finally {
                ImageBuilder.deleteTree(work);
            }
        }
    }

    /**
     * Copies each agent folder into its cache mount. On failure, warns and returns a session that
     * exports nothing (the builds then compile cold).
     */
    Session fill(List<ImageBuildRequest> requests) {
        List<Link> links = links(requests);
        String helper = null;
        String network = null;
        for (ImageBuildRequest r : requests) {
            if (helper == null && r.goSpec() != null) {
                helper = r.goSpec().images().alpine();
            }
            if (network == null) {
                network = r.network();
            }
        }
        Session none = new Session(List.of(), null, null);
        if (links.isEmpty()) {
            return none;
        }
        Session session = new Session(links, helper != null ? helper : BaseImages.defaults().alpine(), network);
        long start = System.nanoTime();
        Path work = null;
        try {
            work = Files.createTempDirectory(Files.createDirectories(workRoot), "gopipe-cache-fill-");
            StringBuilder df = new StringBuilder("FROM " + session.helperImage + " AS fill\nARG GOPIPE_NONCE\nRUN ");
            Map<String, Path> contexts = new LinkedHashMap<>();
            List<String> script = new ArrayList<>();
            for (int i = 0; i < links.size(); i++) {
                Link l = links.get(i);
                Files.createDirectories(l.agentDir());
                contexts.put("gopipe-seed-" + i, l.agentDir());
                df.append("--mount=type=bind,from=gopipe-seed-").append(i).append(",target=/seed/").append(i)
                        .append(" \\\n    ").append(cacheMount(l.mount(), "/m/" + i)).append(" \\\n    ");
                String dir = "/m/" + i + sub(l.mount());
                String own = l.mount().uid() == null && l.mount().gid() == null ? ""
                        : " && chown -R " + (l.mount().uid() == null ? "0" : l.mount().uid())
                        + ":" + (l.mount().gid() == null ? "0" : l.mount().gid()) + " /m/" + i;
                script.add("mkdir -p " + dir + " && cp -R /seed/" + i + "/. " + dir + "/ && rm -f " + dir + "/" + MARKER
                        + " && (cd /seed/" + i + " && find . -type f) > " + dir + "/" + SEEDED
                        + " && touch " + dir + "/" + MARKER + own);
            }
            df.append(String.join(" && \\\n    ", script)).append(" && touch /gopipe-filled\n")
                    .append("FROM scratch\nCOPY --from=fill /gopipe-filled /\n");
            run("fill", work, df.toString(), contexts, Files.createDirectories(work.resolve("out")), session.network);
            reporter.info(String.format("filled %d Go cache mount(s) from the agent (%s) in %.1f s", links.size(),
                    String.join(", ", links.stream().map(l -> l.mount().id() + " <- " + l.agentDir()).toList()),
                    seconds(start)));
            return session;
        } catch (IOException | ImageException e) {
            reporter.warn("could not fill the Go cache mounts from the agent (building with what the builder has): "
                    + e.getMessage());
            return none;
        } finally {
            ImageBuilder.deleteTree(work);
        }
    }

    private void run(String what, Path work, String dockerfile, Map<String, Path> contexts, Path out, String network)
            throws IOException {
        Path context = Files.createDirectories(work.resolve("context"));
        Path file = Files.writeString(work.resolve("Dockerfile"), dockerfile);
        // A fresh nonce makes the step run every time. Not --no-cache: BuildKit then gives the step
        // fresh cache mounts of its own (measured on dockerd 26), so nothing would reach the build.
        BuildPlan plan = new BuildPlan("gopipe-cache-" + what, context, file, null,
                Map.of("GOPIPE_NONCE", UUID.randomUUID().toString()), List.of(), List.of(), List.of(), Map.of(), false,
                false, false, false, CachePolicy.disabled(), contexts, network, work.resolve("metadata.json"), out, false);
        BuildInvocation inv = driver.invocation(plan, Map.of());
        List<String> lines = new ArrayList<>();
        CommandResult r = runner.run(inv.argv(), inv.env(), null, timeout, SecretMasker.none(), lines::add);
        if (!r.succeeded()) {
            throw new ImageException("the cache " + what + " build failed (exit " + r.exitCode() + "): "
                    + BuildxDriver.lastMeaningfulLine(r));
        }
    }

    private static String cacheMount(GoCacheMounts.Mount m, String target) {
        return "--mount=type=cache,id=" + m.id() + ",target=" + target
                + (m.uid() == null ? "" : ",uid=" + m.uid()) + (m.gid() == null ? "" : ",gid=" + m.gid());
    }

    private static String sub(GoCacheMounts.Mount m) {
        return m.subdir().isEmpty() ? "" : "/" + m.subdir();
    }

    /** Moves every file of {@code from} that {@code to} lacks into it; returns {moved, already there}. */
    static int[] merge(Path from, Path to) throws IOException {
        int[] n = new int[2];
        if (!Files.isDirectory(from)) {
            return n;
        }
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                Path dest = to.resolve(from.relativize(f).toString());
                if (Files.exists(dest)) {
                    n[1]++;
                    continue;
                }
                Files.createDirectories(dest.getParent());
                try {
                    Files.move(f, dest, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException e) {
                    n[1]++;
                    continue;
                } catch (IOException e) {
                    Files.copy(f, dest, StandardCopyOption.COPY_ATTRIBUTES);
                }
                n[0]++;
            }
        }
        return n;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
