package io.gopipe.core.image;

import io.gopipe.core.report.Reporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Agent mode (ko-style): compiles the service with {@code go build} on the agent, where the
 * restored module and build caches are warm, into a small context that BuildKit only packages.
 */
final class AgentBinaryBuilder {

    private static final Duration GO_BUILD_TIMEOUT = Duration.ofMinutes(30);
    private final ProcessRunner runner;
    private final Reporter reporter;

    AgentBinaryBuilder(ProcessRunner runner, Reporter reporter) {
        this.runner = runner;
        this.reporter = reporter;
    }

    /**
     * Builds one binary per platform into {@code out/<os>_<arch>/<binary>} and, for scratch, copies
     * the toolchain's zoneinfo.zip next to them.
     *
     * @return one step per compiled platform, with its duration
     */
    List<BuildStep> build(ImageBuildRequest req, List<String> platforms, Path out, SecretMasker masker) {
        GoServiceSpec spec = req.goSpec();
        Path moduleDir = req.context().resolve(spec.moduleDir()).normalize();
        if (!Files.isDirectory(moduleDir)) {
            throw new InvalidImageConfigException("service '" + req.service() + "': module directory " + moduleDir + " does not exist");
        }
        List<BuildStep> steps = new ArrayList<>();
        String binary = GoDockerfileGenerator.binaryName(spec);
        for (String platform : platforms) {
            String[] osArch = platform.split("/");
            if (osArch.length < 2) {
                throw new InvalidImageConfigException("platform '" + platform + "' is not os/arch");
            }
            Path target = out.resolve(osArch[0] + "_" + osArch[1]).resolve(binary);
            Map<String, String> env = new HashMap<>();
            env.put("CGO_ENABLED", "0");
            env.put("GOOS", osArch[0]);
            env.put("GOARCH", osArch[1]);
            if (osArch.length > 2 && osArch[1].equals("arm")) {
                env.put("GOARM", osArch[2].replace("v", ""));
            }
            env.put("GOTOOLCHAIN", "local");
            if (req.goModCache() != null) {
                env.put("GOMODCACHE", req.goModCache().toAbsolutePath().toString());
            }
            if (req.goBuildCache() != null) {
                env.put("GOCACHE", req.goBuildCache().toAbsolutePath().toString());
            }
            List<String> argv = List.of(req.goBinary(), "build", "-trimpath",
                    "-ldflags", "-s -w -X main.version=" + req.version(), "-o", target.toString(), spec.mainPackage());
            reporter.info("[" + req.service() + "] agent build: " + masker.mask(String.join(" ", argv)));
            ProcessResult r = runner.run(argv, env, moduleDir, GO_BUILD_TIMEOUT, masker,
                    l -> reporter.info("[" + req.service() + "] " + l));
            if (!r.succeeded()) {
                throw new ImageBuildFailedException("service '" + req.service() + "': go build of " + spec.mainPackage()
                        + " for " + platform + " failed in " + moduleDir + ":\n" + r.tailText());
            }
            setFixedTime(target, req.sourceDateEpoch());
            steps.add(new BuildStep("agent:" + platform, "[agent] go build " + spec.mainPackage() + " (" + platform + ")",
                    r.elapsed(), false, null));
        }
        if (spec.runtime() == Runtime.SCRATCH) {
            Path zoneinfo = goroot(req, moduleDir, masker).resolve("lib/time/zoneinfo.zip");
            try {
                if (Files.isReadable(zoneinfo)) {
                    Files.copy(zoneinfo, out.resolve("zoneinfo.zip"), StandardCopyOption.REPLACE_EXISTING);
                } else {
                    // GOROOT is where go runs (a pod's go container), not necessarily in this JVM's file system.
                    copyWhereGoRuns(zoneinfo, out.resolve("zoneinfo.zip"), moduleDir, masker);
                }
                setFixedTime(out.resolve("zoneinfo.zip"), req.sourceDateEpoch());
            } catch (IOException e) {
                throw new ImageException("cannot copy " + zoneinfo + " into the image context: " + e.getMessage(), e);
            }
        }
        return steps;
    }

    private Path goroot(ImageBuildRequest req, Path dir, SecretMasker masker) {
        List<String> out = new ArrayList<>();
        ProcessResult r = runner.run(List.of(req.goBinary(), "env", "GOROOT"), Map.of(), dir, Duration.ofMinutes(1),
                masker, out::add);
        if (!r.succeeded() || out.isEmpty()) {
            throw new ImageBuildFailedException("'" + req.goBinary() + " env GOROOT' failed: " + r.tailText());
        }
        return Path.of(out.get(out.size() - 1).strip());
    }

    private void copyWhereGoRuns(Path from, Path to, Path dir, SecretMasker masker) {
        ProcessResult r = runner.run(List.of("cp", from.toString(), to.toString()), Map.of(), dir, Duration.ofMinutes(1),
                masker, l -> { });
        if (!r.succeeded()) {
            throw new ImageBuildFailedException("cannot copy " + from + " into the image context: " + r.tailText());
        }
    }

    /** A fixed mtime keeps the COPY layer, and so the image digest, identical across rebuilds. */
    private static void setFixedTime(Path file, Long epoch) {
        try {
            Files.setLastModifiedTime(file, FileTime.fromMillis((epoch == null ? 0 : epoch) * 1000));
        } catch (IOException e) {
            throw new ImageException("cannot set the time of " + file + ": " + e.getMessage(), e);
        }
    }
}
