package io.gopipe.jenkins.affected;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import hudson.model.Run;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import jenkins.model.RunAction2;

/**
 * Shows on the build page which services the change affected and the chain that explains each
 * one ("why is this affected?"). Keeps the engine's JSON as it was returned, so the page shows
 * exactly what the pipeline acted on.
 */
public class AffectedServicesAction implements RunAction2 {

    /** Thread-safe once configured; one for every action. */
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String json;
    /** Parsed once per loaded action (the page reads it through six getters); not written to build.xml. */
    private transient volatile JsonNode tree;
    private transient Run<?, ?> run;

    public AffectedServicesAction(String json) {
        this.json = json;
    }

    /** One line per service for summary.jelly. */
    public record ServiceLine(String name, String path, List<String> reasons) {
    }

    public boolean isAll() {
        return tree().path("all").asBoolean(false);
    }

    public String getAllReason() {
        return tree().path("allReason").asText("");
    }

    public String getBase() {
        return tree().path("base").asText("");
    }

    public String getHead() {
        return tree().path("head").asText("");
    }

    public List<ServiceLine> getServices() {
        return lines("services");
    }

    public List<ServiceLine> getTestAffected() {
        return lines("testAffected");
    }

    private List<ServiceLine> lines(String field) {
        List<ServiceLine> out = new ArrayList<>();
        for (JsonNode s : tree().path(field)) {
            List<String> reasons = new ArrayList<>();
            for (JsonNode r : s.path("reasons")) {
                List<String> chain = new ArrayList<>();
                r.path("chain").forEach(c -> chain.add(c.asText()));
                reasons.add(r.path("file").asText() + (chain.isEmpty() ? "" : " → " + String.join(" → ", chain)));
            }
            out.add(new ServiceLine(s.path("name").asText(), s.path("path").asText(), reasons));
        }
        return out;
    }

    private JsonNode tree() {
        JsonNode t = tree;
        if (t == null) {
            try {
                t = MAPPER.readTree(json);
            } catch (IOException e) {
                throw new IllegalStateException("stored gopipe affected result is not JSON", e);
            }
            tree = t; // two threads may both parse the first time; both get the same content
        }
        return t;
    }

    public Run<?, ?> getRun() {
        return run;
    }

    @Override
    public void onAttached(Run<?, ?> r) {
        this.run = r;
    }

    @Override
    public void onLoad(Run<?, ?> r) {
        this.run = r;
    }

    @Override
    public String getIconFileName() {
        return null;
    }

    @Override
    public String getDisplayName() {
        return "Affected Go services";
    }

    @Override
    public String getUrlName() {
        return null;
    }
}
