package io.gopipe.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import io.gopipe.core.GopipeException;
import io.gopipe.core.affected.AffectedEngine;
import io.gopipe.core.affected.AffectedRequest;
import io.gopipe.core.affected.AffectedResult;
import io.gopipe.core.affected.AffectedService;
import io.gopipe.core.affected.BaseSpec;
import io.gopipe.core.affected.CiBaseSelector;
import io.gopipe.core.affected.BuildTarget;
import io.gopipe.core.affected.ParseCache;
import io.gopipe.core.affected.Reason;
import io.gopipe.core.report.Progress;
import io.gopipe.core.report.Reporter;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gopipe affected}: which services a change affects, and why. */
@Command(name = "affected", mixinStandardHelpOptions = true,
        description = "List the services a git change affects (Go import graph, go.mod, Dockerfiles, watched paths), with why.",
        exitCodeOnInvalidInput = 2, exitCodeOnExecutionException = 2)
public final class AffectedCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".", description = "Repository work tree (default: .)")
    Path repo;

    @ArgGroup(exclusive = true, multiplicity = "1")
    BaseOptions base;

    /** Where --ci-env reads the CI variables; tests replace it. */
    java.util.Map<String, String> environment = System.getenv();

    static final class BaseOptions {
        @Option(names = "--base", paramLabel = "REV", description = "Compare with this revision.")
        String base;
        @Option(names = "--target-branch", paramLabel = "BRANCH", description = "Compare with the merge base of HEAD and this branch (tries origin/BRANCH too).")
        String targetBranch;
        @Option(names = "--since-commit", paramLabel = "SHA", description = "Compare with this commit, e.g. the last successful build's.")
        String sinceCommit;
        @Option(names = "--files", paramLabel = "FILE", description = "Changed paths, one per line ('-' = stdin), instead of a git diff.")
        String files;
        @Option(names = "--ci-env", description = "Choose the base from the CI environment: pull request (CHANGE_TARGET) -> merge base, "
                + "else GIT_PREVIOUS_SUCCESSFUL_COMMIT, else every service with the reason.")
        boolean ciEnv;
    }

    @Option(names = "--head", paramLabel = "REV", defaultValue = "HEAD", description = "Head revision (default: HEAD).")
    String head;

    @Option(names = "--goos", defaultValue = "linux", description = "Target GOOS (default: linux).")
    String goos;

    @Option(names = "--goarch", defaultValue = "amd64", description = "Target GOARCH (default: amd64).")
    String goarch;

    @Option(names = "--cgo", description = "Build with cgo enabled (CGO_ENABLED=1).")
    boolean cgo;

    @Option(names = "--tags", split = ",", paramLabel = "TAG", description = "Build tags, comma-separated.")
    List<String> tags = new ArrayList<>();

    @Option(names = "--modcache", paramLabel = "DIR", description = "Go module cache with external module sources (GOMODCACHE).")
    Path modCache;

    @Option(names = "--format", defaultValue = "json", paramLabel = "FORMAT", description = "json, text or mermaid (default: json).")
    String format;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the result here instead of stdout.")
    Path output;

    @Option(names = "--parse-cache", paramLabel = "DIR", description = "Keep scanned source files here between runs (keyed by git blob id).")
    Path parseCacheDir;

    @Option(names = {"-v", "--verbose"}, description = "Print progress to stderr.")
    boolean verbose;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (!List.of("json", "text", "mermaid").contains(format)) {
                err.println("gopipe affected: --format: expected json, text or mermaid, got '" + format + "'");
                return 2;
            }
            if (modCache != null && !Files.isDirectory(modCache)) {
                err.println("gopipe affected: --modcache " + modCache + ": no such directory");
                return 2;
            }
            BaseSpec baseSpec = baseSpec(err);
            if (baseSpec == null) {
                return 2;
            }
            tuneGitWindows();
            ParseCache cache = new ParseCache();
            Path cacheFile = parseCacheDir == null ? null : parseCacheDir.resolve("parse-cache.bin");
            if (cacheFile != null) {
                cache.load(cacheFile);
            }
            int before = cache.size();
            AffectedEngine engine = new AffectedEngine(cache, reporter(err));
            BuildTarget target = new BuildTarget(goos, goarch, cgo, Set.copyOf(tags));
            AffectedResult result = engine.compute(new AffectedRequest(repo, baseSpec, head, target, modCache));
            if (cacheFile != null && cache.size() != before) {
                try {
                    cache.save(cacheFile);
                } catch (IOException e) {
                    err.println("gopipe affected: warning: cannot write --parse-cache " + cacheFile + ": " + e.getMessage());
                }
            }
            String text = switch (format) {
                case "text" -> text(result);
                case "mermaid" -> mermaid(result);
                default -> result.toJson();
            };
            if (output != null) {
                try {
                    Path parent = output.toAbsolutePath().getParent();
                    if (parent != null) {
                        Files.createDirectories(parent);
                    }
                    Files.writeString(output, text, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    err.println("gopipe affected: --output " + output + ": cannot write: " + e.getMessage());
                    return 2;
                }
            } else {
                PrintWriter out = spec.commandLine().getOut();
                out.print(text);
                out.flush();
            }
            return 0;
        } catch (GopipeException e) {
            err.println("gopipe affected: " + e.getMessage().replace('\n', ' '));
            return 2;
        } finally {
            err.flush();
        }
    }

    /**
     * This process reads whole commits: let JGit keep a large pack in memory (its defaults, 10 MB
     * over 8 KB windows, thrash on a monorepo's pack). Process-wide, which is right for the CLI only.
     */
    private static void tuneGitWindows() {
        org.eclipse.jgit.storage.file.WindowCacheConfig c = new org.eclipse.jgit.storage.file.WindowCacheConfig();
        c.setPackedGitLimit(512L << 20);
        c.setPackedGitWindowSize(1 << 20);
        c.setDeltaBaseCacheLimit(64 << 20);
        c.setStreamFileThreshold(16 << 20);
        c.install();
    }

    private BaseSpec baseSpec(PrintWriter err) {
        if (base.ciEnv) {
            CiBaseSelector.BaseChoice choice = CiBaseSelector.choose(null, null, null, null, environment);
            err.println("gopipe affected: comparing with " + choice.explanation());
            err.flush();
            return choice.spec();
        }
        if (base.base != null) {
            return BaseSpec.revision(base.base);
        }
        if (base.targetBranch != null) {
            return BaseSpec.mergeBaseWith(base.targetBranch);
        }
        if (base.sinceCommit != null) {
            return BaseSpec.sinceCommit(base.sinceCommit);
        }
        try {
            String content = base.files.equals("-")
                    ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(base.files), StandardCharsets.UTF_8);
            List<String> paths = new ArrayList<>();
            for (String line : content.split("\\R")) {
                if (!line.isBlank()) {
                    paths.add(line.trim());
                }
            }
            return BaseSpec.changedFiles(paths);
        } catch (IOException e) {
            err.println("gopipe affected: --files " + base.files + ": cannot read: " + e.getMessage());
            return null;
        }
    }

    private Reporter reporter(PrintWriter err) {
        return new Reporter() {
            @Override
            public synchronized void info(String message) {
                if (verbose) {
                    err.println(message);
                    err.flush();
                }
            }

            @Override
            public synchronized void warn(String message) {
                err.println("warning: " + message);
                err.flush();
            }

            @Override
            public void progress(Progress progress) {
            }
        };
    }

    static String text(AffectedResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append("base ").append(r.base() == null ? "-" : r.base()).append("\nhead ").append(r.head()).append('\n');
        sb.append(r.changedFiles().size()).append(" changed file(s)\n");
        if (r.all()) {
            sb.append("ALL services affected: ").append(r.allReason()).append('\n');
        }
        section(sb, r.services().size() + " service(s) to rebuild", r.services(), !r.all());
        section(sb, r.testAffected().size() + " more service(s) to test", r.testAffected(), true);
        return sb.toString();
    }

    private static void section(StringBuilder sb, String title, List<AffectedService> list, boolean why) {
        sb.append('\n').append(title).append(list.isEmpty() ? "\n" : ":\n");
        for (AffectedService s : list) {
            sb.append("  ").append(s.name()).append("  (").append(s.path())
                    .append(s.dockerfile() == null ? "" : ", " + s.dockerfile()).append(")\n");
            if (!why) {
                continue;
            }
            for (Reason reason : s.reasons()) {
                sb.append("    why: ").append(reason.file() == null ? "" : reason.file() + " -> ")
                        .append(String.join(" -> ", reason.chain())).append('\n');
            }
        }
    }

    static String mermaid(AffectedResult r) {
        StringBuilder sb = new StringBuilder("flowchart LR\n");
        if (r.all()) {
            sb.append("  all[\"").append(esc("ALL: " + r.allReason())).append("\"]\n");
        }
        Map<String, String> ids = new LinkedHashMap<>();
        Set<String> edges = new LinkedHashSet<>();
        Set<String> serviceNames = new LinkedHashSet<>();
        for (AffectedService s : r.services()) {
            serviceNames.add(s.name());
        }
        List<String> nodes = new ArrayList<>();
        for (AffectedService s : r.services()) {
            String sid = id(ids, nodes, "svc:" + s.name(), "([\"" + esc(s.name()) + "\"])");
            for (Reason reason : s.reasons()) {
                String prev = reason.file() == null ? (r.all() ? "all" : null)
                        : id(ids, nodes, "file:" + reason.file(), "[/\"" + esc(reason.file()) + "\"/]");
                List<String> chain = reason.chain();
                for (int i = 0; i < chain.size() - 1; i++) {
                    if (r.all()) {
                        break;
                    }
                    String pid = id(ids, nodes, "pkg:" + chain.get(i), "[\"" + esc(chain.get(i)) + "\"]");
                    if (prev != null) {
                        edges.add("  " + prev + " --> " + pid);
                    }
                    prev = pid;
                }
                if (prev != null) {
                    edges.add("  " + prev + " --> " + sid);
                }
            }
        }
        nodes.forEach(n -> sb.append(n).append('\n'));
        edges.forEach(e -> sb.append(e).append('\n'));
        return sb.toString();
    }

    private static String id(Map<String, String> ids, List<String> nodes, String key, String shape) {
        String id = ids.get(key);
        if (id == null) {
            id = "n" + ids.size();
            ids.put(key, id);
            nodes.add("  " + id + shape);
        }
        return id;
    }

    private static String esc(String s) {
        return s.replace("\"", "#quot;");
    }
}
