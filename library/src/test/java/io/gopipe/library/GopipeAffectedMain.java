package io.gopipe.library;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `gopipe affected --format json` for the CLI-engine tests, over the real engine, with the flags
 * of issue 2. Used until the cli module's own `affected` subcommand lands on main.
 */
public final class GopipeAffectedMain {
    private GopipeAffectedMain() {
    }

    public static void main(String[] argv) {
        List<String> a = List.of(argv);
        if (a.isEmpty() || !a.get(0).equals("affected")) {
            System.err.println("usage: gopipe affected --repo DIR [--base REV|--target-branch B|--since-commit SHA] --format json");
            System.exit(2);
        }
        Map<String, Object> args = new LinkedHashMap<>();
        Path repo = Path.of(".");
        for (int i = 1; i < a.size(); i++) {
            String flag = a.get(i);
            switch (flag) {
                case "--repo" -> repo = Path.of(a.get(++i));
                case "--base" -> args.put("base", a.get(++i));
                case "--target-branch" -> args.put("targetBranch", a.get(++i));
                case "--since-commit" -> args.put("sinceCommit", a.get(++i));
                case "--goos" -> args.put("goos", a.get(++i));
                case "--goarch" -> args.put("goarch", a.get(++i));
                case "--tags" -> args.put("tags", a.get(++i));
                case "--cgo" -> args.put("cgo", true);
                case "--format" -> {
                    if (!a.get(++i).equals("json")) {
                        System.err.println("only --format json here");
                        System.exit(2);
                    }
                }
                default -> {
                    System.err.println("unknown flag " + flag);
                    System.exit(2);
                }
            }
        }
        System.out.print(EngineRequests.affectedJson(repo.toAbsolutePath(), args));
    }
}
