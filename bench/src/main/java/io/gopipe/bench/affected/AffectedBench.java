package io.gopipe.bench.affected;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Times gopipe's affected-services engine against the {@code go list} baseline on the commit pairs
 * of a generated monorepo (pairs.tsv), checks that both sides return the same affected services,
 * and prints a table of medians and ratios.
 *
 * <pre>java -cp gopipe-bench.jar io.gopipe.bench.affected.AffectedBench --data DIR [--runs N]
 *     [--pairs a,b] [--go PATH] [--cli-jar PATH] [--engine in-process|none] [--check-history] [--no-golist-timing]</pre>
 */
public final class AffectedBench {

    private AffectedBench() {
    }

    record Pair(String label, String base, String head) {
    }

    /** Per-pair figures (medians, seconds) and the correctness verdicts. */
    static final class Row {
        final Pair pair;
        double checkout;
        final Stats goListBase = new Stats();
        final Stats goListHead = new Stats();
        final Stats goListBoth = new Stats();
        final Stats engineWarm = new Stats();
        final Stats engineEmpty = new Stats();
        final Stats cli = new Stats();
        final Stats cpuGoList = new Stats();
        final Stats cpuWarm = new Stats();
        final Stats cpuEmpty = new Stats();
        final Stats cpuCli = new Stats();
        int baselineCount;
        final List<String> problems = new ArrayList<>();

        Row(Pair pair) {
            this.pair = pair;
        }
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of("/work/data/bench-affected");
        int runs = 3;
        Set<String> only = null;
        String go = "/usr/lib/go-1.24/bin/go";
        Path cliJar = null;
        String engineMode = "in-process";
        boolean checkHistory = false;
        boolean timeGoList = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--pairs" -> only = new HashSet<>(List.of(args[++i].split(",")));
                case "--go" -> go = args[++i];
                case "--cli-jar" -> cliJar = Path.of(args[++i]);
                case "--engine" -> engineMode = args[++i];
                case "--check-history" -> checkHistory = true;
                case "--no-golist-timing" -> timeGoList = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path repo = data.resolve("repo");
        Path scratch = Files.createDirectories(data.resolve("scratch"));
        Path cache = Files.createDirectories(data.resolve("golist-cache"));
        List<Pair> pairs = readPairs(data.resolve("pairs.tsv"));
        Pair warmup = pairs.stream().filter(p -> p.label().equals("warmup")).findFirst()
            .orElseThrow(() -> new IOException("pairs.tsv has no warmup pair"));
        GoListRunner goList = new GoListRunner(repo, go);
        EngineSide engine = engineMode.equals("none") ? null : new InProcessEngine(repo);
        CliSide cli = cliJar == null ? null : new CliSide(cliJar, repo, scratch);
        Path wtBase = data.resolve("wt-base");
        Path wtHead = data.resolve("wt-head");

        if (engine != null) {
            // JIT warm-up: the agent JVM has run the engine before.
            engine.computeEmptyCache(warmup.base(), warmup.head());
        }
        List<Row> rows = new ArrayList<>();
        for (Pair pair : pairs) {
            if (pair.label().equals("warmup") || (only != null && !only.contains(pair.label()))) {
                continue;
            }
            Row row = new Row(pair);
            rows.add(row);
            System.err.printf("== %s %s..%s%n", pair.label(), pair.base().substring(0, 8), pair.head().substring(0, 8));
            Path jsonBase = scratch.resolve("golist-base.json");
            Path jsonHead = scratch.resolve("golist-head.json");
            Path dirBase = wtBase;
            Path dirHead = wtHead;
            if (timeGoList) {
                row.checkout = (goList.checkout(wtBase, pair.base()) + goList.checkout(wtHead, pair.head())) / 1e9;
            } else {
                jsonBase = listed(goList, data.resolve("wt-check"), cache, pair.base());
                jsonHead = listed(goList, data.resolve("wt-check"), cache, pair.head());
                dirBase = Path.of(Files.readString(dirOf(jsonBase)));
                dirHead = Path.of(Files.readString(dirOf(jsonHead)));
                row.checkout = Double.NaN;
            }
            EngineSide.Outcome engineOut = null;
            EngineSide.Outcome warmOut = null;
            EngineSide.Outcome cliOut = null;
            for (int r = 0; r < runs; r++) {
                StringBuilder line = new StringBuilder("   run " + (r + 1) + ":");
                if (timeGoList) {
                    GoListRunner.Timing tb = goList.goList(wtBase, jsonBase);
                    GoListRunner.Timing th = goList.goList(wtHead, jsonHead);
                    long b = tb.wall();
                    long h = th.wall();
                    row.cpuGoList.add(tb.cpu() + th.cpu());
                    row.goListBase.add(b);
                    row.goListHead.add(h);
                    row.goListBoth.add(b + h);
                    line.append(String.format(Locale.ROOT, " go list %.2f+%.2f s", b / 1e9, h / 1e9));
                }
                if (cli != null) {
                    cliOut = cli.run(pair.base(), pair.head());
                    row.cli.add(cliOut.nanos());
                    row.cpuCli.add(cliOut.cpuNanos());
                    line.append(String.format(Locale.ROOT, " cli %.2f s", cliOut.nanos() / 1e9));
                }
                if (engine != null) {
                    engineOut = engine.computeEmptyCache(pair.base(), pair.head());
                    row.engineEmpty.add(engineOut.nanos());
                    row.cpuEmpty.add(engineOut.cpuNanos());
                    warmOut = engine.computeWarmCache(warmup.base(), warmup.head(), pair.base(), pair.head());
                    row.engineWarm.add(warmOut.nanos());
                    row.cpuWarm.add(warmOut.cpuNanos());
                    line.append(String.format(Locale.ROOT, " engine empty %.3f s, warm %.3f s",
                        engineOut.nanos() / 1e9, warmOut.nanos() / 1e9));
                }
                System.err.println(line);
            }
            if (timeGoList) {
                cacheListing(jsonBase, wtBase, cache, pair.base());
                cacheListing(jsonHead, wtHead, cache, pair.head());
            }
            BaselineAffected.Result expected = BaselineAffected.compute(GoListGraph.parse(jsonBase, dirBase),
                GoListGraph.parse(jsonHead, dirHead), changedFiles(repo, pair.base(), pair.head()));
            row.baselineCount = expected.services().size();
            if (engineOut != null) {
                compare(row, "engine (empty cache)", expected, engineOut);
                compare(row, "engine (warm cache)", expected, warmOut);
            }
            if (cliOut != null) {
                compare(row, "gopipe CLI", expected, cliOut);
            }
            System.err.println("   " + row.baselineCount + " services affected; engine vs go list: "
                + (row.problems.isEmpty() ? "same" : "MISMATCH " + row.problems));
        }
        goList.remove(wtBase);
        goList.remove(wtHead);
        // The timing table first: the history check below can take long on a busy machine.
        String table = table(rows, engine != null, cli != null);
        System.out.print(table);
        Files.writeString(data.resolve("results.txt"), table);
        boolean ok = rows.stream().allMatch(r -> r.problems.isEmpty());
        if (checkHistory) {
            List<Row> history = checkHistory(data, repo, goList, engine, cache);
            long bad = history.stream().filter(r -> !r.problems.isEmpty()).count();
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "%nhistory: engine vs go list baseline on %d consecutive commit pairs: %d agree, %d differ%n",
                history.size(), history.size() - bad, bad));
            for (Row r : history) {
                for (String p : r.problems) {
                    b.append("  ").append(r.pair.label()).append(": ").append(p).append('\n');
                }
            }
            System.out.print(b);
            Files.writeString(data.resolve("results.txt"), table + b);
            ok &= bad == 0;
        }
        if (!ok) {
            System.exit(1);
        }
    }

    private static void cacheListing(Path json, Path worktree, Path cache, String sha) throws IOException {
        Path target = cache.resolve(sha + ".json");
        Files.copy(json, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dirOf(target), worktree.toString());
    }

    /** Every consecutive commit pair of the history, engine vs baseline (go list output cached per commit). */
    private static List<Row> checkHistory(Path data, Path repo, GoListRunner goList, EngineSide engine, Path cache)
        throws Exception {
        List<Row> out = new ArrayList<>();
        List<String[]> history = new ArrayList<>();
        for (String line : Files.readAllLines(data.resolve("history.tsv"))) {
            history.add(line.split("\t", 3));
        }
        Path wt = data.resolve("wt-check");
        for (int i = 1; i < history.size(); i++) {
            String base = history.get(i - 1)[1];
            String head = history.get(i)[1];
            Row row = new Row(new Pair("history-" + i, base, head));
            out.add(row);
            Path jb = listed(goList, wt, cache, base);
            Path jh = listed(goList, wt, cache, head);
            BaselineAffected.Result expected = BaselineAffected.compute(
                GoListGraph.parse(jb, Path.of(Files.readString(dirOf(jb)))),
                GoListGraph.parse(jh, Path.of(Files.readString(dirOf(jh)))), changedFiles(repo, base, head));
            row.baselineCount = expected.services().size();
            if (engine != null) {
                compare(row, "engine", expected, engine.computeSharedCache(base, head));
            }
            System.err.printf("   history %d %s: %d services%s%n", i, history.get(i)[2], row.baselineCount,
                row.problems.isEmpty() ? "" : " MISMATCH");
        }
        goList.remove(wt);
        return out;
    }

    private static Path dirOf(Path json) {
        return json.resolveSibling(json.getFileName().toString().replace(".json", ".dir"));
    }

    /** go list output for sha, from the cache or by checking it out into wt; a .dir file names the worktree. */
    private static Path listed(GoListRunner goList, Path wt, Path cache, String sha) throws Exception {
        Path json = cache.resolve(sha + ".json");
        if (!Files.exists(json) || !Files.exists(dirOf(json))) {
            goList.checkout(wt, sha);
            goList.goList(wt, json);  // timing unused: a correctness listing
            Files.writeString(dirOf(json), wt.toString());
        }
        return json;
    }

    static void compare(Row row, String side, BaselineAffected.Result expected, EngineSide.Outcome got) {
        Set<String> want = new TreeSet<>(expected.services().keySet());
        if (got.all()) {
            row.problems.add(side + ": returned all services (baseline: " + want.size() + ")");
            return;
        }
        if (!want.equals(got.services())) {
            Set<String> missing = new TreeSet<>(want);
            missing.removeAll(got.services());
            Set<String> extra = new TreeSet<>(got.services());
            extra.removeAll(want);
            StringBuilder b = new StringBuilder(side + ": " + got.services().size() + " services, baseline "
                + want.size() + ";");
            missing.stream().limit(5).forEach(m -> b.append(" missing ").append(m).append(" (")
                .append(expected.services().get(m)).append(");"));
            extra.stream().limit(5).forEach(e -> b.append(" extra ").append(e).append(';'));
            String msg = b.toString();
            if (!row.problems.contains(msg)) {
                row.problems.add(msg);
            }
        }
    }

    static Set<String> changedFiles(Path repo, String base, String head) throws Exception {
        String out = GoListRunner.run(repo, List.of("git", "diff", "--no-renames", "--name-only", "-z", base, head),
            null, Map.of());
        Set<String> files = new TreeSet<>();
        for (String f : out.split("\0")) {
            if (!f.isEmpty()) {
                files.add(f);
            }
        }
        return files;
    }

    static List<Pair> readPairs(Path file) throws IOException {
        List<Pair> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            out.add(new Pair(f[0], f[1], f[2]));
        }
        return out;
    }

    static String table(List<Row> rows, boolean engine, boolean cli) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%n%-18s %5s %9s %9s %10s %10s %9s %8s %8s %8s  %s%n", "WALL (median)", "svcs",
            "checkout", "go list", "warm", "empty", "cli", "x warm", "x empty", "x cli", "check"));
        b.append(String.format(Locale.ROOT, "%-18s %5s %9s %9s %10s %10s %9s%n", "", "", "s", "base+head s",
            "in-proc s", "in-proc s", "cold s"));
        for (Row r : rows) {
            line(b, r, r.goListBoth, r.engineWarm, r.engineEmpty, r.cli, fmt(r.checkout, 2),
                r.problems.isEmpty() ? "same" : "MISMATCH");
        }
        if (rows.stream().anyMatch(r -> !r.cpuGoList.isEmpty() || !r.cpuWarm.isEmpty())) {
            b.append(String.format(Locale.ROOT, "%n%-18s %5s %9s %9s %10s %10s %9s %8s %8s %8s%n", "CPU user+sys",
                "", "", "go list", "warm", "empty", "cli", "x warm", "x empty", "x cli"));
            for (Row r : rows) {
                line(b, r, r.cpuGoList, r.cpuWarm, r.cpuEmpty, r.cpuCli, "", "");
            }
        }
        for (Row r : rows) {
            for (String p : r.problems) {
                b.append("  ").append(r.pair.label()).append(": ").append(p).append('\n');
            }
        }
        b.append("svcs = affected services (go list baseline); go list = `go list -deps -json` over all workspace "
            + "modules at base + at head;\ncheckout = fresh worktrees of base and head (not included in go list); "
            + "warm = parse cache warmed on another pair; empty = new ParseCache;\ncli = `java -jar gopipe.jar "
            + "affected` from a cold start; CPU = user+sys of all threads (robust on a busy machine);\n"
            + "x = go list / gopipe (higher is better); targets (wall): x warm >= 10, x empty >= 2, x cli >= 1.\n");
        return b.toString();
    }

    private static void line(StringBuilder b, Row r, Stats goList, Stats warm, Stats empty, Stats cli, String checkout,
                             String check) {
        double gl = goList.medianSeconds();
        double w = warm.medianSeconds();
        double e = empty.medianSeconds();
        double c = cli.medianSeconds();
        b.append(String.format(Locale.ROOT, "%-18s %5d %9s %9s %10s %10s %9s %8s %8s %8s  %s%n", r.pair.label(),
            r.baselineCount, checkout, fmt(gl, 2), fmt(w, 3), fmt(e, 3), fmt(c, 2), ratio(gl, w), ratio(gl, e),
            ratio(gl, c), check));
    }

    private static String fmt(double v, int digits) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    private static String ratio(double baseline, double ours) {
        return Double.isNaN(baseline) || Double.isNaN(ours) || ours == 0 ? "-"
            : String.format(Locale.ROOT, "%.1fx", baseline / ours);
    }
}
