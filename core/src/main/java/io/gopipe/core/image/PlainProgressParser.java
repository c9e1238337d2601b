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
 * end it. Thread-confined: one parser per build.
 */
public final class PlainProgressParser implements ProgressParser {

    private static final Pattern LINE = Pattern.compile("^#(\\d+) (.*)$");
    private static final Pattern DONE = Pattern.compile("^DONE (\\d+(?:\\.\\d+)?)s$");
    private static final Pattern LOG = Pattern.compile("^\\d+\\.\\d+ .*");

    private final Map<String, Vertex> vertices = new LinkedHashMap<>();

    private static final class Vertex {
        String name;
        Duration duration = Duration.ZERO;
        boolean cached;
        String error;
    }

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
            return;
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
        vertices.forEach((id, v) -> out.add(new BuildStep("#" + id, v.name, v.duration, v.cached, v.error)));
        return out;
    }
}
