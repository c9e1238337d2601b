package io.gopipe.core.affected;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Finds the services of a revision: every main package, named and configured by gopipe.yaml. */
final class ServiceCatalog {

    private ServiceCatalog() {
    }

    static GopipeConfig config(SourceTree tree) {
        String text = tree.readText(GopipeConfig.FILE);
        return text == null ? GopipeConfig.empty() : GopipeConfig.parse(text);
    }

    static List<ServiceDef> services(RevisionModel rev, GopipeConfig config) {
        List<String> dirs = rev.packageDirs();
        rev.prefetch(dirs);
        Map<String, GopipeConfig.ServiceConfig> configured = new LinkedHashMap<>();
        for (GopipeConfig.ServiceConfig sc : config.services()) {
            configured.put(sc.path(), sc);
        }
        List<String> mains = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (GopipeConfig.ServiceConfig sc : config.services()) {
            if (!rev.tree.isDir(sc.path()) || rev.moduleDirOf(sc.path()) == null || !rev.loader.load(sc.path()).isMain()) {
                rev.reporter.warn(GopipeConfig.FILE + ": service path '" + sc.path() + "' is not a main package for "
                        + rev.target.describe() + "; skipped");
                continue;
            }
            if (seen.add(sc.path())) {
                mains.add(sc.path());
            }
        }
        if (config.discover()) {
            for (String dir : dirs) {
                if (seen.contains(dir) || excluded(config, dir) || rev.moduleDirOf(dir) == null) {
                    continue;
                }
                if (rev.loader.load(dir).isMain()) {
                    seen.add(dir);
                    mains.add(dir);
                }
            }
        }
        Map<String, Integer> defaultNames = new HashMap<>();
        Set<String> configuredNames = new HashSet<>();
        for (String dir : mains) {
            GopipeConfig.ServiceConfig sc = configured.get(dir);
            if (sc != null && sc.name() != null) {
                configuredNames.add(sc.name());
            } else {
                defaultNames.merge(defaultName(dir), 1, Integer::sum);
            }
        }
        List<ServiceDef> out = new ArrayList<>();
        for (String dir : mains) {
            GopipeConfig.ServiceConfig sc = configured.get(dir);
            String name = sc != null && sc.name() != null ? sc.name() : defaultName(dir);
            if ((sc == null || sc.name() == null) && (defaultNames.get(name) > 1 || configuredNames.contains(name))) {
                name = dir.isEmpty() ? "root" : dir.replace('/', '-');
            }
            String dockerfile = sc != null && sc.dockerfile() != null ? sc.dockerfile() : null;
            if (dockerfile == null) {
                String d = SourceTree.join(dir, "Dockerfile");
                dockerfile = rev.tree.isFile(d) ? d : null;
            }
            String context = sc != null && sc.context() != null ? sc.context() : "";
            BuildContext ctx = rev.contextFor(dir);
            String ip = ctx.importPathOf(dir);
            String module = rev.goMod(rev.moduleDirOf(dir)).module();
            if (ip == null) {
                ip = module + (dir.equals(rev.moduleDirOf(dir)) ? "" : "/" + dir.substring(rev.moduleDirOf(dir).isEmpty() ? 0
                        : rev.moduleDirOf(dir).length() + 1));
            }
            out.add(new ServiceDef(name, dir, ip, module, dockerfile, context,
                    sc == null ? List.of() : sc.watch()));
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    static boolean excluded(GopipeConfig config, String dir) {
        for (PathPattern p : config.excludeDirs()) {
            if (p.matches(dir)) {
                return true;
            }
        }
        return false;
    }

    static String defaultName(String dir) {
        return dir.isEmpty() ? "root" : SourceTree.base(dir);
    }
}
