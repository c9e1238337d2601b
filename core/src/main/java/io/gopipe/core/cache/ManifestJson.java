package io.gopipe.core.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.gopipe.core.cache.archive.ArchiveChunk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes {@link Manifest}s with Jackson's streaming API. Every save and restore touches
 * one manifest; the data-binding layer costs a one-shot CLI about 0.3 s of class loading and
 * introspection, the streaming layer almost nothing. Unknown fields are skipped (newer writers may
 * add some); a field of the wrong type is an error.
 */
final class ManifestJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private ManifestJson() {
    }

    static byte[] write(Manifest m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + 160 * m.chunks().size());
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("format", m.format());
            g.writeStringField("key", m.key());
            g.writeStringField("policy", m.policy());
            g.writeStringField("blob", m.blob());
            g.writeNumberField("created", m.created());
            g.writeStringField("goVersion", m.goVersion());
            g.writeStringField("goos", m.goos());
            g.writeStringField("goarch", m.goarch());
            g.writeNumberField("files", m.files());
            g.writeNumberField("fileBytes", m.fileBytes());
            g.writeNumberField("archiveBytes", m.archiveBytes());
            g.writeArrayFieldStart("chunks");
            for (ArchiveChunk c : m.chunks()) {
                g.writeStartObject();
                g.writeNumberField("offset", c.offset());
                g.writeNumberField("length", c.length());
                g.writeNumberField("rawBytes", c.rawBytes());
                g.writeNumberField("entries", c.entries());
                if (c.crc32c() != null) {
                    g.writeStringField("crc32c", c.crc32c());
                }
                if (c.sha256() != null) {
                    g.writeStringField("sha256", c.sha256());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            if (m.modules() == null) {
                g.writeNullField("modules");
            } else {
                g.writeArrayFieldStart("modules");
                for (String module : m.modules()) {
                    g.writeString(module);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    /** Parses without checking meaning; {@link Manifest#parse} checks. Missing fields read as 0 or null. */
    static Manifest read(byte[] json) throws IOException {
        try (JsonParser p = FACTORY.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT, "the manifest");
            int format = 0;
            String key = null;
            String policy = null;
            String blob = null;
            long created = 0;
            String goVersion = null;
            String goos = null;
            String goarch = null;
            long files = 0;
            long fileBytes = 0;
            long archiveBytes = 0;
            List<ArchiveChunk> chunks = null;
            List<String> modules = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "format" -> format = Math.toIntExact(number(p, value, field));
                    case "key" -> key = text(p, value, field);
                    case "policy" -> policy = text(p, value, field);
                    case "blob" -> blob = text(p, value, field);
                    case "created" -> created = number(p, value, field);
                    case "goVersion" -> goVersion = text(p, value, field);
                    case "goos" -> goos = text(p, value, field);
                    case "goarch" -> goarch = text(p, value, field);
                    case "files" -> files = number(p, value, field);
                    case "fileBytes" -> fileBytes = number(p, value, field);
                    case "archiveBytes" -> archiveBytes = number(p, value, field);
                    case "chunks" -> chunks = chunks(p, value);
                    case "modules" -> modules = strings(p, value, field);
                    default -> p.skipChildren();
                }
            }
            expect(p.currentToken(), JsonToken.END_OBJECT, "the end of the manifest");
            if (p.nextToken() != null) {
                throw new IOException("data after the manifest object");
            }
            return new Manifest(format, key, policy, blob, created, goVersion, goos, goarch, files, fileBytes,
                    archiveBytes, chunks, modules);
        }
    }

    private static List<ArchiveChunk> chunks(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(value, JsonToken.START_ARRAY, "chunks");
        List<ArchiveChunk> chunks = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() == JsonToken.VALUE_NULL) {
                chunks.add(null);
                continue;
            }
            expect(p.currentToken(), JsonToken.START_OBJECT, "a chunk");
            long offset = -1;
            long length = -1;
            long rawBytes = -1;
            long entries = -1;
            String sha = null;
            String crc = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "offset" -> offset = number(p, v, "chunk offset");
                    case "length" -> length = number(p, v, "chunk length");
                    case "rawBytes" -> rawBytes = number(p, v, "chunk rawBytes");
                    case "entries" -> entries = number(p, v, "chunk entries");
                    case "sha256" -> sha = text(p, v, "chunk sha256");
                    case "crc32c" -> crc = text(p, v, "chunk crc32c");
                    default -> p.skipChildren();
                }
            }
            if (entries > Integer.MAX_VALUE) {
                throw new IOException("chunk entries " + entries + " out of range");
            }
            chunks.add(new ArchiveChunk(offset, length, rawBytes, (int) entries, sha, crc));
        }
        return chunks;
    }

    private static List<String> strings(JsonParser p, JsonToken value, String field) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(value, JsonToken.START_ARRAY, field);
        List<String> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            list.add(text(p, p.currentToken(), field));
        }
        return list;
    }

    private static long number(JsonParser p, JsonToken value, String field) throws IOException {
        expect(value, JsonToken.VALUE_NUMBER_INT, field);
        return p.getLongValue();
    }

    private static String text(JsonParser p, JsonToken value, String field) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(value, JsonToken.VALUE_STRING, field);
        return p.getText();
    }

    private static void expect(JsonToken actual, JsonToken expected, String what) throws IOException {
        if (actual != expected) {
            throw new IOException(what + ": expected " + expected + ", found " + actual);
        }
    }
}
