package io.gopipe.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code --progress=rawjson} output (buildctl, and buildx ≥ 0.12): a stream of BuildKit
 * {@code SolveStatus} JSON objects, one per line or indented over many lines (buildx 0.13 does
 * that); vertices are updated by digest as they start, complete or come from the cache. Lines
 * outside any object are ignored. A COPY/ADD vertex whose only activity is a layer download (a
 * registry-cache hit fetched lazily, which BuildKit may not flag {@code cached}) counts as cached,
 * as in {@link PlainProgressParser}. Thread-confined: one parser per build.
 */
public final class RawJsonProgressParser implements ProgressParser {

    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Vertex> vertices = new LinkedHashMap<>();
    private final StringBuilder pending = new StringBuilder();
    private int depth;
    private boolean inString;
    private boolean escaped;

    private static final class Vertex {
        String name = "";
        Instant started;
        Instant completed;
        boolean cached;
        boolean downloaded;
        boolean logged;
        String error;

        boolean lazilyCached() {
            String instruction = name.replaceFirst("^\\[[^\\]]*\\] ", "");
            return downloaded && !logged && error == null
                    && (instruction.startsWith("COPY ") || instruction.startsWith("ADD "));
        }
    }

    @Override
    public void accept(String line) {
        if (depth == 0 && !line.stripLeading().startsWith("{")) {
            return;
        }
        pending.append(line).append('\n');
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            }
        }
        if (depth <= 0) {
            String text = pending.toString();
            pending.setLength(0);
            depth = 0;
            inString = false;
            escaped = false;
            apply(text);
        }
    }

    private void apply(String text) {
        JsonNode status;
        try {
            status = json.readTree(text);
        } catch (IOException e) {
            return; // a log line that happens to start with a brace
        }
        for (JsonNode st : status.path("statuses")) {
            String id = st.path("id").asText("");
            if (id.matches("^(?:extracting )?sha256:[0-9a-f]{64}.*")) {
                vertices.computeIfAbsent(st.path("vertex").asText(""), d -> new Vertex()).downloaded = true;
            }
        }
        for (JsonNode log : status.path("logs")) {
            vertices.computeIfAbsent(log.path("vertex").asText(""), d -> new Vertex()).logged = true;
        }
        JsonNode list = status.path("vertexes");
        for (JsonNode node : list) {
            String digest = node.path("digest").asText("");
            if (digest.isEmpty()) {
                continue;
            }
            Vertex v = vertices.computeIfAbsent(digest, d -> new Vertex());
            if (node.hasNonNull("name")) {
                v.name = node.get("name").asText();
            }
            if (node.hasNonNull("started")) {
                v.started = OffsetDateTime.parse(node.get("started").asText()).toInstant();
            }
            if (node.hasNonNull("completed")) {
                v.completed = OffsetDateTime.parse(node.get("completed").asText()).toInstant();
            }
            if (node.path("cached").asBoolean(false)) {
                v.cached = true;
            }
            if (node.hasNonNull("error") && !node.get("error").asText().isEmpty()) {
                v.error = node.get("error").asText();
            }
        }
    }

    @Override
    public List<BuildStep> steps() {
        List<BuildStep> out = new ArrayList<>();
        vertices.forEach((digest, v) -> {
            if (digest.isEmpty()) {
                return;
            }
            boolean cached = v.cached || v.lazilyCached();
            Duration d = v.started != null && v.completed != null && !cached
                    ? Duration.between(v.started, v.completed) : Duration.ZERO;
            out.add(new BuildStep(digest, v.name, d, cached, v.error));
        });
        return out;
    }
}
