package io.gopipe.core.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal template language for the Dockerfiles under {@code resources/io/gopipe/image/}:
 * {@code {{name}}} inserts a value, a line holding only {@code {{#flag}}} … {@code {{/flag}}} keeps
 * its block when the flag is true ({@code {{^flag}}} when false), and {@code {{>file}}} includes
 * another template. An unknown name is an error, so a typo never yields a silently broken image.
 */
public final class DockerfileTemplate {

    /** Classpath folder of the templates (also the Jenkins shared library's resources folder). */
    public static final String RESOURCE_DIR = "io/gopipe/image/";

    private static final Pattern VAR = Pattern.compile("\\{\\{([A-Za-z][A-Za-z0-9]*)}}");
    private static final Pattern BLOCK = Pattern.compile("^\\s*\\{\\{([#^/>])([A-Za-z][A-Za-z0-9._-]*)}}\\s*$");

    private DockerfileTemplate() {
    }

    /** Renders the named template from the classpath. */
    public static String render(String name, Map<String, Object> values) {
        return renderText(name, load(name), values);
    }

    /** Renders template text; {@code name} only appears in error messages. */
    public static String renderText(String name, String text, Map<String, Object> values) {
        StringBuilder out = new StringBuilder();
        Deque<Boolean> keep = new ArrayDeque<>();
        Deque<String> open = new ArrayDeque<>();
        for (String line : text.split("\n", -1)) {
            Matcher b = BLOCK.matcher(line);
            boolean active = !keep.contains(Boolean.FALSE);
            if (b.matches()) {
                String kind = b.group(1);
                String key = b.group(2);
                switch (kind) {
                    case "#", "^" -> {
                        boolean flag = flag(name, key, values);
                        keep.push(kind.equals("#") == flag);
                        open.push(key);
                    }
                    case "/" -> {
                        if (open.isEmpty() || !open.peek().equals(key)) {
                            throw new InvalidImageConfigException("template " + name + ": {{/" + key
                                    + "}} closes " + (open.isEmpty() ? "nothing" : "{{#" + open.peek() + "}}"));
                        }
                        open.pop();
                        keep.pop();
                    }
                    default -> {
                        if (active) {
                            String included = render(key, values);
                            out.append(included.endsWith("\n") ? included : included + "\n");
                        }
                    }
                }
                continue;
            }
            if (!active) {
                continue;
            }
            Matcher v = VAR.matcher(line);
            StringBuilder sb = new StringBuilder();
            while (v.find()) {
                String key = v.group(1);
                if (!values.containsKey(key)) {
                    throw new InvalidImageConfigException("template " + name + " uses {{" + key + "}} which has no value");
                }
                v.appendReplacement(sb, Matcher.quoteReplacement(String.valueOf(values.get(key))));
            }
            v.appendTail(sb);
            out.append(sb).append('\n');
        }
        if (!open.isEmpty()) {
            throw new InvalidImageConfigException("template " + name + ": {{#" + open.peek() + "}} is never closed");
        }
        String s = out.toString();
        return s.endsWith("\n\n") ? s.substring(0, s.length() - 1) : s;
    }

    private static boolean flag(String name, String key, Map<String, Object> values) {
        Object v = values.get(key);
        if (!(v instanceof Boolean b)) {
            throw new InvalidImageConfigException("template " + name + " uses {{#" + key + "}} which has no boolean value");
        }
        return b;
    }

    private static String load(String name) {
        String path = RESOURCE_DIR + name;
        try (InputStream in = DockerfileTemplate.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new InvalidImageConfigException("Dockerfile template " + path + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ImageException("cannot read Dockerfile template " + path + ": " + e.getMessage(), e);
        }
    }
}
