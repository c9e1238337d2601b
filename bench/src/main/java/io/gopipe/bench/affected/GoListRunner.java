package io.gopipe.bench.affected;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The baseline side: fresh git worktrees of a revision, and {@code go list -deps -json} over every
 * module of the workspace in one invocation (faster than one per module), for linux/amd64 with cgo
 * off — the engine's default target — offline.
 */
final class GoListRunner {

    private static final Pattern USE = Pattern.compile("^\\s*(?:use\\s+)?(\\.[^\\s)]*)\\s*$");

    private final Path repo;
    private final String go;

    GoListRunner(Path repo, String go) {
        this.repo = repo;
        this.go = go;
    }

    /** Creates a fresh worktree of sha at dir (removing an old one first); returns the checkout time in ns. */
    long checkout(Path dir, String sha) throws IOException, InterruptedException {
        if (Files.exists(dir)) {
            run(repo, List.of("git", "worktree", "remove", "--force", dir.toString()), null, Map.of());
        }
        run(repo, List.of("git", "worktree", "prune"), null, Map.of());
        long t0 = System.nanoTime();
        run(repo, List.of("git", "worktree", "add", "-q", "--detach", dir.toString(), sha), null, Map.of());
        return System.nanoTime() - t0;
    }

    void remove(Path dir) throws IOException, InterruptedException {
        if (Files.exists(dir)) {
            run(repo, List.of("git", "worktree", "remove", "--force", dir.toString()), null, Map.of());
        }
    }

    /** Wall and CPU (user + sys) time of one run, in ns. */
    record Timing(long wall, long cpu) {
    }

    /** Runs go list in the worktree, writing its JSON to out. */
    Timing goList(Path worktree, Path out) throws IOException, InterruptedException {
        Path cpu = out.resolveSibling(out.getFileName() + ".cpu");
        List<String> args = new ArrayList<>(List.of(go, "list", "-deps", "-json"));
        args.addAll(patterns(worktree));
        List<String> cmd = CpuTime.timed(cpu, args.toArray(String[]::new));
        long t0 = System.nanoTime();
        run(worktree, cmd, out, Map.of("GOTOOLCHAIN", "local", "GOPROXY", "off", "GOFLAGS", "", "GOOS", "linux",
            "GOARCH", "amd64", "CGO_ENABLED", "0"));
        long wall = System.nanoTime() - t0;
        long cpuNanos = CpuTime.read(cpu);
        Files.deleteIfExists(cpu);
        return new Timing(wall, cpuNanos);
    }

    /** ./... for every module the go.work uses (or just the root module without a go.work). */
    static List<String> patterns(Path worktree) throws IOException {
        Path work = worktree.resolve("go.work");
        if (!Files.exists(work)) {
            return List.of("./...");
        }
        List<String> out = new ArrayList<>();
        boolean inBlock = false;
        for (String line : Files.readAllLines(work)) {
            String l = line.replaceAll("//.*", "").trim();
            if (l.startsWith("use (")) {
                inBlock = true;
                continue;
            }
            if (inBlock && l.equals(")")) {
                inBlock = false;
                continue;
            }
            if (inBlock || l.startsWith("use ")) {
                Matcher m = USE.matcher(l);
                if (m.matches()) {
                    String d = m.group(1);
                    out.add(d.equals(".") ? "./..." : d + "/...");
                }
            }
        }
        return out;
    }

    static String run(Path dir, List<String> cmd, Path stdout, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().putAll(env);
        Path err = Files.createTempFile("bench-affected", ".err");
        try {
            pb.redirectError(err.toFile());
            if (stdout != null) {
                pb.redirectOutput(stdout.toFile());
            }
            Process p = pb.start();
            String text = stdout == null ? new String(p.getInputStream().readAllBytes()) : "";
            int rc = p.waitFor();
            if (rc != 0) {
                throw new IOException(String.join(" ", cmd) + " failed (exit " + rc + ") in " + dir + ":\n"
                    + Files.readString(err));
            }
            return text;
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
