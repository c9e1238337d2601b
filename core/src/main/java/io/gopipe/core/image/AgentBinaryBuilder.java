package io.gopipe.core.image;

import io.gopipe.core.exec.CommandResult;
import io.gopipe.core.report.Reporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Agent mode (ko-style): compiles the service with {@code go build} on the agent, where the
 * restored module and build caches are warm, into a small context that BuildKit only packages.
 * The context holds one root file tree per platform whose files and folders carry
 * SOURCE_DATE_EPOCH and fixed permissions, so the same commit gives the same layer on any agent.
 */
final class AgentBinaryBuilder {

    private static final Duration GO_BUILD_TIMEOUT = Duration.ofMinutes(30);
    private final ProcessRunner runner;
    private final Reporter reporter;
    private final GoToolchain toolchains;
    private final String goCacheDaemon;
    private final PreviousBinary previous;

    AgentBinaryBuilder(ProcessRunner runner, Reporter reporter) {
        this(runner, reporter, new GoToolchain(runner, GoToolchain.defaultSearchRoots()), null);
    }

    AgentBinaryBuilder(ProcessRunner runner, Reporter reporter, String goCacheDaemon) {
        this(runner, reporter, new GoToolchain(runner, GoToolchain.defaultSearchRoots()), goCacheDaemon);
    }

    AgentBinaryBuilder(ProcessRunner runner, Reporter reporter, GoToolchain toolchains) {
        this(runner, reporter, toolchains, null);
    }

    /**
     * @param goCacheDaemon the gocache daemon's address: requests with a remote Go cache key build with
     *                      {@code GOCACHEPROG} = the bridge (built here with the same go); or null
     */
    AgentBinaryBuilder(ProcessRunner runner, Reporter reporter, GoToolchain toolchains, String goCacheDaemon) {
        this(runner, reporter, toolchains, goCacheDaemon, null);
    }

    /**
     * @param previous where the last image's binary comes from ({@link PreviousBinary}), or null to
     *                 always link
     */
    AgentBinaryBuilder(ProcessRunner runner, Reporter reporter, GoToolchain toolchains, String goCacheDaemon,
                       PreviousBinary previous) {
        this.runner = runner;
        this.reporter = reporter;
        this.toolchains = toolchains;
        this.goCacheDaemon = goCacheDaemon;
        this.previous = previous;
    }

    /**
     * The GOCACHEPROG value for agent mode: the bridge built offline with {@code go} (cached under
     * ~/.cache/gopipe/bridge), talking to the daemon directly (same filesystem: no copies). Null, with
     * one warning, when the bridge cannot be built (e.g. go older than 1.24): the build goes on.
     */
    private String goCacheProg(ImageBuildRequest req, String go) {
        if (goCacheDaemon == null || req.remoteGoCacheKey() == null) {
            return null;
        }
        try {
            Path bridge = io.gopipe.core.gocache.BridgeBinary.build(runner.commands(), go,
                    Path.of(System.getProperty("user.home"), ".cache", "gopipe", "bridge"));
            return new io.gopipe.core.gocache.GoCacheProgLine.Bridge(bridge.toString(), goCacheDaemon, null,
                    req.remoteGoCacheKey(), false, null, null).value();
        } catch (RuntimeException e) {
            reporter.warn("[" + req.service() + "] cannot use the Go build cache daemon in agent mode (building without"
                    + " it): " + e.getMessage());
            return null;
        }
    }

    /**
     * Builds one binary per platform into {@code out/<os>_<arch>/usr/local/bin/<binary>} and, for
     * scratch, copies the toolchain's zoneinfo.zip to {@code out/<os>_<arch>/usr/local/share/}.
     *
     * @return one step per compiled platform, with its duration
     */
    List<BuildStep> build(ImageBuildRequest req, List<String> platforms, Path out, SecretMasker masker) {
        GoServiceSpec spec = req.goSpec();
        Path moduleDir = req.context().resolve(spec.moduleDir()).normalize();
        if (!Files.isDirectory(moduleDir)) {
            throw new InvalidImageConfigException("service '" + req.service() + "': module directory " + moduleDir + " does not exist");
        }
        String go = toolchains.select(req.service(), req.goCommand(), req.goBinaryExplicit(), moduleDir);
        if (!go.equals(req.goCommand())) {
            reporter.info("[" + req.service() + "] " + req.goCommand() + " is older than " + moduleDir.resolve("go.mod")
                    + " asks for; using " + go + " (pass --go to choose)");
        }
        List<BuildStep> steps = new ArrayList<>();
        String binary = GoDockerfileGenerator.binaryName(spec);
        String goCacheProg = goCacheProg(req, go);
        for (String platform : platforms) {
            String[] osArch = platform.split("/");
            if (osArch.length < 2) {
                throw new InvalidImageConfigException("platform '" + platform + "' is not os/arch");
            }
            Path root = out.resolve(GoDockerfileGenerator.rootfsDir(osArch[0], osArch[1]));
            Path target = root.resolve("usr/local/bin").resolve(binary);
            Map<String, String> env = new HashMap<>();
            env.put("CGO_ENABLED", "0");
            env.put("GOOS", osArch[0]);
            env.put("GOARCH", osArch[1]);
            if (osArch.length > 2 && osArch[1].equals("arm")) {
                env.put("GOARM", osArch[2].replace("v", ""));
            }
            env.put("GOTOOLCHAIN", "local");
            // The same flags as the generated Dockerfile, so both modes give the same binary.
            env.put("GOFLAGS", "-buildvcs=false");
            if (req.goModCache() != null) {
                env.put("GOMODCACHE", req.goModCache().toAbsolutePath().toString());
            }
            if (req.goBuildCache() != null) {
                env.put("GOCACHE", req.goBuildCache().toAbsolutePath().toString());
            }
            if (goCacheProg != null) {
                env.put("GOCACHEPROG", goCacheProg);
            }
            List<String> argv = List.of(go, "build", "-trimpath", "-buildvcs=false",
                    "-ldflags", spec.ldflags(req.version()), "-o", target.toString(), spec.mainPackage());
            Object placed = platforms.size() == 1 ? placePrevious(req, target) : null;
            reporter.info("[" + req.service() + "] agent build: " + masker.mask(String.join(" ", argv)));
            CommandResult r = runner.run(argv, env, moduleDir, GO_BUILD_TIMEOUT, masker,
                    l -> reporter.info("[" + req.service() + "] " + l));
            if (placed != null && r.succeeded()) {
                reporter.info("[" + req.service() + "] agent build: " + (placed.equals(fileKey(target))
                        ? "the last image's binary is up to date (go kept it: no link)"
                        : "the last image's binary was stale: go linked a new one over it"));
            }
            if (!r.succeeded()) {
                throw new ImageBuildFailedException("service '" + req.service() + "': go build of " + spec.mainPackage()
                        + " for " + platform + " failed in " + moduleDir + ":\n" + r.tailText());
            }
            steps.add(new BuildStep("agent:" + platform, "[agent] go build " + spec.mainPackage() + " (" + platform + ")",
                    r.elapsed(), false, null));
            if (spec.runtime() == Runtime.SCRATCH) {
                Path zoneinfo = goroot(go, moduleDir, masker).resolve("lib/time/zoneinfo.zip");
                try {
                    Path dest = Files.createDirectories(root.resolve("usr/local/share")).resolve("zoneinfo.zip");
                    if (Files.isReadable(zoneinfo)) {
                        Files.copy(zoneinfo, dest, StandardCopyOption.REPLACE_EXISTING);
                    } else {
                        // GOROOT is where go runs (a pod's go container), not necessarily in this JVM's file system.
                        copyWhereGoRuns(zoneinfo, dest, moduleDir, masker);
                    }
                } catch (IOException e) {
                    throw new ImageException("cannot copy " + zoneinfo + " into the image context: " + e.getMessage(), e);
                }
            }
            stamp(root, req.sourceDateEpoch());
        }
        return steps;
    }

    /**
     * Puts the last image's binary at {@code target} (see {@link PreviousBinary}); its file key (to
     * tell afterwards whether go kept it), or null when nothing was placed.
     */
    private Object placePrevious(ImageBuildRequest req, Path target) {
        if (previous == null || !req.cache().enabled()) {
            return null;
        }
        String inImage = "usr/local/bin/" + GoDockerfileGenerator.binaryName(req.goSpec());
        long start = System.nanoTime();
        java.util.Optional<String> from;
        try {
            from = previous.place(req.cache().importRefs(), inImage, target, req.credentials());
        } catch (RuntimeException e) {
            // Only a lost shortcut: go links as it would have.
            reporter.warn("[" + req.service() + "] could not take the last image's binary from the registry cache: " + e);
            return null;
        }
        if (from.isEmpty()) {
            return null;
        }
        reporter.info(String.format("[%s] agent build: placed the binary of %s in %.2f s (go links only when it is not"
                + " up to date)", req.service(), from.get(), (System.nanoTime() - start) / 1e9));
        return fileKey(target);
    }

    private static Object fileKey(Path p) {
        try {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(p,
                    java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.fileKey() == null ? a.lastModifiedTime() + "/" + a.size() : a.fileKey() + "/" + a.size();
        } catch (IOException e) {
            return null;
        }
    }

    /** 16 hex digits of a hash of a tree's paths, modes and file contents. */
    static String contentName(Path root) {
        java.security.MessageDigest md;
        try {
            md = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (Stream<Path> walk = Files.walk(root)) {
            byte[] buf = new byte[1 << 16];
            for (Path p : walk.sorted().toList()) {
                String rel = root.relativize(p).toString();
                boolean dir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                md.update((rel + (dir ? "/" : "") + "\0" + (Files.isExecutable(p) ? "x" : "-") + "\0")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                if (!dir) {
                    try (java.io.InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                        for (int n; (n = in.read(buf)) > 0; ) {
                            md.update(buf, 0, n);
                        }
                    }
                    md.update((byte) 0);
                }
            }
        } catch (IOException e) {
            throw new ImageException("cannot read the image files under " + root + ": " + e.getMessage(), e);
        }
        return java.util.HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    private Path goroot(String go, Path dir, SecretMasker masker) {
        List<String> out = new ArrayList<>();
        CommandResult r = runner.run(List.of(go, "env", "GOROOT"), Map.of("GOTOOLCHAIN", "local"), dir,
                Duration.ofMinutes(1), masker, out::add);
        if (!r.succeeded() || out.isEmpty()) {
            throw new ImageBuildFailedException("'" + go + " env GOROOT' failed: " + r.tailText());
        }
        return Path.of(out.get(out.size() - 1).strip());
    }

    private void copyWhereGoRuns(Path from, Path to, Path dir, SecretMasker masker) {
        CommandResult r = runner.run(List.of("cp", from.toString(), to.toString()), Map.of(), dir, Duration.ofMinutes(1),
                masker, l -> { });
        if (!r.succeeded()) {
            throw new ImageBuildFailedException("cannot copy " + from + " into the image context: " + r.tailText());
        }
    }

    /**
     * Gives every file and folder of a root tree the time SOURCE_DATE_EPOCH (0 without one) and
     * fixed permissions (folders and the binary 0755, other files 0644), whatever the agent's
     * clock and umask: the layer BuildKit makes of the tree is then the same for the same commit.
     */
    static void stamp(Path root, Long epoch) {
        FileTime time = FileTime.fromMillis((epoch == null ? 0 : epoch) * 1000);
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                boolean dir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                boolean exec = dir || p.getParent().endsWith("bin");
                PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS);
                if (view != null) {
                    view.setPermissions(PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
                }
                Files.setLastModifiedTime(p, time);
            }
        } catch (IOException e) {
            throw new ImageException("cannot stamp the image files under " + root + ": " + e.getMessage(), e);
        }
    }
}
