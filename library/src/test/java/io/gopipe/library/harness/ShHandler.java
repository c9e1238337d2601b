package io.gopipe.library.harness;

import java.nio.file.Path;
import java.util.Map;

/** Runs the script of an {@code sh} step. The default runs it for real with /bin/sh. */
@FunctionalInterface
public interface ShHandler {
    record Result(int status, String stdout, String stderr) {
        public Result(int status, String stdout) {
            this(status, stdout, "");
        }
    }

    Result run(String script, Path cwd, Map<String, String> env) throws Exception;
}
