package io.gopipe.bench.affected;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Generates the synthetic Go monorepo with history for the affected-services benchmark.
 *
 * <pre>java -cp gopipe-bench.jar io.gopipe.bench.affected.GenerateMonorepo --out DIR [--seed N] [--scale X] [--commits N]</pre>
 *
 * Writes DIR/repo (a git repository, main checked out), DIR/history.tsv (index, commit, subject) and
 * DIR/pairs.tsv (label, base, head: the commit pairs the benchmark times).
 */
public final class GenerateMonorepo {

    private GenerateMonorepo() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of("/work/data/bench-affected");
        long seed = 42;
        double scale = 1.0;
        int commits = History.KINDS.size();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--scale" -> scale = Double.parseDouble(args[++i]);
                case "--commits" -> commits = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                    + " (expected --out DIR, --seed N, --scale X, --commits N)");
            }
        }
        long t0 = System.nanoTime();
        Path repo = out.resolve("repo");
        if (Files.exists(repo)) {
            deleteTree(repo);
        }
        Files.createDirectories(repo);
        git(repo, "init", "-q", "-b", "main");
        git(repo, "config", "gc.auto", "0");
        LayoutBuilder builder = new LayoutBuilder(seed, scale);
        Monorepo model = builder.build();
        History history = new History(builder);
        List<String> subjects = new ArrayList<>();
        try (FastImport fi = new FastImport(repo)) {
            Map<String, String> initial = model.snapshot();
            model.drainChange();
            subjects.add("[initial] import " + initial.size() + " files");
            fi.commit(subjects.get(0), initial, List.of());
            for (int i = 1; i <= commits; i++) {
                String msg = history.apply(i);
                Monorepo.Change c = model.drainChange();
                subjects.add(msg);
                fi.commit(msg, c.modified(), c.deleted());
            }
        }
        git(repo, "reset", "-q", "--hard", "main");
        List<String> shas = new ArrayList<>(List.of(git(repo, "rev-list", "--reverse", "main").split("\n")));
        StringBuilder tsv = new StringBuilder();
        for (int i = 0; i < shas.size(); i++) {
            tsv.append(i).append('\t').append(shas.get(i)).append('\t').append(subjects.get(i)).append('\n');
        }
        Files.writeString(out.resolve("history.tsv"), tsv);
        Files.writeString(out.resolve("pairs.tsv"), pairs(shas, subjects));
        Files.writeString(out.resolve("generator.txt"), "seed=" + seed + "\nscale=" + scale + "\ncommits=" + commits + "\n");
        long files = git(repo, "ls-files").lines().count();
        System.out.printf("generated %s: %d packages, %d services, %d files at HEAD, %d commits in %.1f s%n",
            repo, model.packages.size(), model.packages.stream().filter(GoPackage::isMain).count(), files,
            shas.size(), (System.nanoTime() - t0) / 1e9);
    }

    /** The benchmark's commit pairs: one warm-up pair, then typical single changes and one PR-sized range. */
    private static String pairs(List<String> shas, List<String> subjects) {
        StringBuilder b = new StringBuilder("# label\tbase\thead\n");
        b.append("warmup\t").append(shas.get(0)).append('\t').append(shas.get(1)).append('\n');
        for (String kind : List.of("hub-edit", "lib-edit", "gomod-go-line", "new-package", "multi-leaf",
            "rename-package", "platform-hub-edit", "module-leaf-edit")) {
            for (int i = 1; i < subjects.size(); i++) {
                if (subjects.get(i).startsWith("[" + kind + "]")) {
                    b.append(kind).append('\t').append(shas.get(i - 1)).append('\t').append(shas.get(i)).append('\n');
                    break;
                }
            }
        }
        int last = shas.size() - 1;
        b.append("range-20\t").append(shas.get(Math.max(1, last - 20))).append('\t').append(shas.get(last)).append('\n');
        return b.toString();
    }

    static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed in " + dir + ":\n" + text);
        }
        return text.strip();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
