package io.gopipe.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * What BuildKit wrote to {@code --metadata-file}.
 *
 * @param digest     {@code containerimage.digest}: the manifest (or index) digest, or null when
 *                   nothing was exported as an image
 * @param imageNames {@code image.name} split on commas
 */
public record BuildMetadata(String digest, List<String> imageNames) {

    /** Reads the metadata file; a missing or empty file gives empty metadata. */
    public static BuildMetadata read(Path file) {
        try {
            if (!Files.exists(file) || Files.size(file) == 0) {
                return new BuildMetadata(null, List.of());
            }
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new ImageException("cannot read build metadata file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses the JSON text of a metadata file. */
    public static BuildMetadata parse(String text) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new ImageException("build metadata is not JSON: " + e.getMessage(), e);
        }
        String digest = root.path("containerimage.digest").asText(null);
        String names = root.path("image.name").asText("");
        List<String> list = names.isBlank() ? List.of()
                : Arrays.stream(names.split(",")).map(String::strip).filter(n -> !n.isEmpty()).toList();
        return new BuildMetadata(digest, list);
    }
}
