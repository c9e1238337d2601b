package io.gopipe.core.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Whether a main package declares the package-level {@code version} variable that
 * {@code -ldflags -X main.version=…} sets: the linker silently ignores {@code -X} for a variable
 * that does not exist, so stamping is only promised where the source has one.
 */
final class VersionVariable {

    /** The variable set when the program declares it and the user chose none. */
    static final String DEFAULT = "main.version";

    private static final Pattern SINGLE = Pattern.compile("(?m)^var\\s+version\\b");
    private static final Pattern BLOCK = Pattern.compile("(?ms)^var\\s*\\((.*?)^\\)");
    private static final Pattern IN_BLOCK = Pattern.compile("(?m)^\\s*version\\b\\s*(?:,\\s*\\w+\\s*)*(?:string\\b|=)");

    private VersionVariable() {
    }

    /** Whether a non-test {@code .go} file in {@code mainDir} declares {@code var version}. */
    static boolean declaredIn(Path mainDir) {
        if (!Files.isDirectory(mainDir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(mainDir)) {
            return files.filter(f -> f.toString().endsWith(".go") && !f.toString().endsWith("_test.go"))
                    .anyMatch(VersionVariable::declares);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean declares(Path goFile) {
        String src;
        try {
            src = Files.readString(goFile);
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
        if (SINGLE.matcher(src).find()) {
            return true;
        }
        Matcher b = BLOCK.matcher(src);
        while (b.find()) {
            if (IN_BLOCK.matcher(b.group(1)).find()) {
                return true;
            }
        }
        return false;
    }
}
