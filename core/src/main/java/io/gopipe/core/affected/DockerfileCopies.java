package io.gopipe.core.affected;

import java.util.ArrayList;
import java.util.List;

/**
 * The build-context paths a Dockerfile copies into its image ({@code COPY}/{@code ADD} sources,
 * not {@code --from} a stage). Whole-context copies ({@code COPY . .}) are left out: for those the
 * Go import graph decides, which is the point of the engine.
 */
final class DockerfileCopies {

    private DockerfileCopies() {
    }

    /** Source patterns as repo-relative paths under {@code context}. */
    static List<String> sources(String dockerfile, String context) {
        List<String> out = new ArrayList<>();
        if (dockerfile == null) {
            return out;
        }
        String joined = dockerfile.replaceAll("\\\\\\r?\\n", " ");
        for (String raw : joined.split("\\r?\\n")) {
            String line = raw.trim();
            String upper = line.toUpperCase();
            if (!(upper.startsWith("COPY ") || upper.startsWith("ADD "))) {
                continue;
            }
            List<String> args = args(line.substring(line.indexOf(' ') + 1).trim());
            if (args.stream().anyMatch(a -> a.startsWith("--from"))) {
                continue;
            }
            args.removeIf(a -> a.startsWith("--") || a.startsWith("<<"));
            for (int i = 0; i < args.size() - 1; i++) {
                String src = args.get(i);
                if (src.contains("$") || src.contains("://") || src.startsWith("/")) {
                    continue;
                }
                String norm = PackageLoader.normalize(context, src);
                if (norm == null || norm.equals(context) || src.equals("*")) {
                    continue; // the whole context: the Go graph decides
                }
                out.add(norm);
            }
        }
        return out;
    }

    private static List<String> args(String s) {
        List<String> out = new ArrayList<>();
        if (s.startsWith("[")) {
            for (String part : s.replaceAll("^\\[|\\]$", "").split(",")) {
                String p = part.trim();
                if (p.length() >= 2 && p.startsWith("\"") && p.endsWith("\"")) {
                    out.add(p.substring(1, p.length() - 1));
                }
            }
            return out;
        }
        for (String p : s.split("\\s+")) {
            if (!p.isEmpty()) {
                out.add(p);
            }
        }
        return out;
    }
}
