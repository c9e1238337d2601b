package io.gopipe.core.affected;

import io.gopipe.core.GopipeException;

/** A malformed go.mod, go.work or vendor/modules.txt; the message starts with {@code file:line:}. */
public final class GoModException extends GopipeException {

    private final String file;
    private final int line;

    public GoModException(String file, int line, String problem) {
        super(file + ":" + line + ": " + problem);
        this.file = file;
        this.line = line;
    }

    /** The repo-relative file at fault. */
    public String file() {
        return file;
    }

    /** The 1-based line at fault (the last line for a missing directive). */
    public int line() {
        return line;
    }
}
