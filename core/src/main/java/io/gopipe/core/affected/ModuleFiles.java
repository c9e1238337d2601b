package io.gopipe.core.affected;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Parsers for go.sum and vendor/modules.txt. */
final class ModuleFiles {

    private ModuleFiles() {
    }

    /** One module of vendor/modules.txt: its version (or replacement) and the packages vendored from it. */
    record VendorModule(String path, String version, String replacement, String goVersion, List<String> packages) {
        /** What decides the vendored content: version and replacement. */
        String identity() {
            return (version == null ? "" : version) + (replacement == null ? "" : " => " + replacement);
        }
    }

    /** go.sum: "path@version" (content hash lines only, not /go.mod lines) → hash. Malformed lines are skipped. */
    static Map<String, String> parseGoSum(String text) {
        Map<String, String> out = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 3 || f[1].endsWith("/go.mod")) {
                continue;
            }
            out.put(f[0] + "@" + f[1], f[2]);
        }
        return out;
    }

    /** vendor/modules.txt: module path → its entry. */
    static Map<String, VendorModule> parseModulesTxt(String file, String text) {
        Map<String, VendorModule> out = new HashMap<>();
        String[] lines = text.split("\n", -1);
        String path = null;
        String version = null;
        String replacement = null;
        String goVersion = null;
        List<String> pkgs = null;
        for (int i = 0; i <= lines.length; i++) {
            String line = i < lines.length ? lines[i].trim() : null;
            boolean newModule = line == null || (line.startsWith("# ") && !line.startsWith("## "));
            if (newModule && path != null) {
                VendorModule vm = new VendorModule(path, version, replacement, goVersion, List.copyOf(pkgs));
                // "# path => dir" repeats a wildcard replace after the module's own entry: keep the entry with packages
                VendorModule prev = out.get(path);
                if (prev == null || (prev.packages().isEmpty() && !vm.packages().isEmpty())) {
                    out.put(path, vm);
                }
                path = null;
            }
            if (line == null || line.isEmpty()) {
                continue;
            }
            if (line.startsWith("## ")) {
                if (path == null) {
                    throw new GoModException(file, i + 1, "'## ' annotation before any '# module' line");
                }
                for (String ann : line.substring(3).split(";")) {
                    String a = ann.trim();
                    if (a.startsWith("go ")) {
                        goVersion = a.substring(3).trim();
                    }
                }
            } else if (line.startsWith("# ")) {
                String[] f = line.substring(2).trim().split("\\s+");
                int arrow = List.of(f).indexOf("=>");
                if (f.length == 0 || (arrow < 0 && f.length != 2) || arrow == 0 || arrow > 2 || arrow == f.length - 1) {
                    throw new GoModException(file, i + 1, "malformed module line: " + line);
                }
                path = f[0];
                version = arrow == 1 ? null : f[1];
                replacement = arrow < 0 ? null : String.join(" ", List.of(f).subList(arrow + 1, f.length));
                goVersion = null;
                pkgs = new ArrayList<>();
            } else if (line.startsWith("#")) {
                throw new GoModException(file, i + 1, "malformed line: " + line);
            } else {
                if (path == null) {
                    throw new GoModException(file, i + 1, "package " + line + " listed before any '# module' line");
                }
                pkgs.add(line);
            }
        }
        return out;
    }
}
