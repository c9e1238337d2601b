package io.gopipe.core.affected;

import java.util.regex.Pattern;

/**
 * A repo-relative path pattern from gopipe.yaml: "dir/" (everything below), "file" or "dir"
 * (exactly, or everything below), or a glob where '*' and '?' stay within one element and '**'
 * crosses elements.
 */
record PathPattern(String text, Pattern regex, String prefix) {

    static PathPattern of(String text) {
        String t = text.trim().replace('\\', '/');
        while (t.startsWith("./")) {
            t = t.substring(2);
        }
        if (t.startsWith("/")) {
            t = t.substring(1);
        }
        if (t.contains("*") || t.contains("?") || t.contains("[")) {
            StringBuilder re = new StringBuilder();
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                if (c == '*' && i + 1 < t.length() && t.charAt(i + 1) == '*') {
                    re.append(".*");
                    i++;
                    if (i + 1 < t.length() && t.charAt(i + 1) == '/') {
                        i++;
                        re.append("/?");
                    }
                } else if (c == '*') {
                    re.append("[^/]*");
                } else if (c == '?') {
                    re.append("[^/]");
                } else if (c == '[') {
                    int j = t.indexOf(']', i);
                    if (j < 0) {
                        re.append("\\[");
                    } else {
                        re.append(t, i, j + 1);
                        i = j;
                    }
                } else {
                    re.append(Pattern.quote(String.valueOf(c)));
                }
            }
            // a glob naming a directory covers what is below it
            re.append("(/.*)?");
            return new PathPattern(text, Pattern.compile(re.toString()), null);
        }
        if (t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        return new PathPattern(text, null, t);
    }

    boolean matches(String path) {
        if (regex != null) {
            return regex.matcher(path).matches();
        }
        return prefix.isEmpty() || path.equals(prefix) || path.startsWith(prefix + "/");
    }
}
