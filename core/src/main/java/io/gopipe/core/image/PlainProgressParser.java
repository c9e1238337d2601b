package io.gopipe.core.image;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code --progress=plain} output of {@code docker buildx build}: the first line of
 * {@code #N} names the vertex, {@code #N CACHED}, {@code #N DONE 1.2s} and {@code #N ERROR: …}
 * end it. A step whose result comes from the registry cache may never say {@code CACHED}: BuildKit
 * then fetches the cached layer lazily and shows only its download ({@code #N sha256:… 1.2MB / 1.2MB
 * done}), often after the export began. Such a COPY/ADD step with downloads and no output of its
 * own, and any step that only reappears for a download once the export began, counts as cached.
 * Thread-confined: one parser per build.
 */
public final class PlainProgressParser implements ProgressParser {

    private static final Pattern LINE = Pattern.compile("^#(\\d+) (.*)$");
    private static final Pattern DONE = Pattern.compile("^DONE (\\d+(?:\\.\\d+)?)s$");
    private static final Pattern LOG = Pattern.compile("^\\d+\\.\\d+ .*");
    private static final Pattern BLOB = Pattern.compile("^(?:extracting )?sha256:[0-9a-f]{64}\\b.*");

    private final Map<String, Vertex> vertices = new LinkedHashMap<>();

    private static final class Vertex {
        String name;
        Duration duration = Duration.ZERO;
        boolean cached;
        boolean downloaded;
        boolean logged;
        boolean fetchedAfterExport;
        String error;

        boolean lazilyCached() {
            String instruction = name.replaceFirst("^\\[[^\\]]*\\] ", "");
            boolean copy = instruction.startsWith("COPY ") || instruction.startsWith("ADD ");
            return downloaded && !logged && error == null && (copy || fetchedAfterExport);
        }
    }

    private boolean exporting;

    @Override
    public void accept(String line) {
        Matcher m = LINE.matcher(line.strip());
        if (!m.matches()) {
            return;
        }
        String id = m.group(1);
        String rest = m.group(2);
        Vertex v = vertices.get(id);
        if (v == null) {
            v = new Vertex();
            v.name = rest;
            vertices.put(id, v);
            exporting |= rest.startsWith("exporting to ");
            return;
        }
        if (BLOB.matcher(rest).matches()) {
            v.downloaded = true;
            v.fetchedAfterExport |= exporting && !v.name.startsWith("exporting");
            return;
        }
        if (LOG.matcher(rest).matches()) {
            v.logged = true;
        }
        if (rest.equals("CACHED")) {
            v.cached = true;
            return;
        }
        Matcher done = DONE.matcher(rest);
        if (done.matches()) {
            v.duration = Duration.ofMillis(Math.round(Double.parseDouble(done.group(1)) * 1000));
            return;
        }
        if (rest.startsWith("ERROR") && !LOG.matcher(rest).matches()) {
            String err = rest.replaceFirst("^ERROR:? ?", "");
            v.error = v.error == null ? err : v.error + "; " + err;
        }
    }

    @Override
    public List<BuildStep> steps() {
        List<BuildStep> out = new ArrayList<>();
        vertices.forEach((id, v) -> out.add(new BuildStep("#" + id, v.name, v.cached || v.lazilyCached() ? Duration.ZERO : v.duration,
                v.cached || v.lazilyCached(), v.error)));
        return out;
    }
}
