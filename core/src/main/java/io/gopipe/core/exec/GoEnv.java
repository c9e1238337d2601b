package io.gopipe.core.exec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Asks the Go toolchain for its settings ({@code go env NAME...}) through a {@link CommandRunner},
 * so the answer comes from the {@code go} the build uses, wherever that runs.
 */
public final class GoEnv {

    private static final Duration TIMEOUT = Duration.ofMinutes(1);

    private GoEnv() {
    }

    /**
     * The values of {@code names}, in order; an unset variable maps to "".
     *
     * @param goBinary the go command, or null/blank for {@code go} on the runner's PATH
     * @param workDir  where to ask (a module's go.mod can select another toolchain), or null
     * @throws CommandException naming the binary when go cannot be run or fails
     */
    public static Map<String, String> read(CommandRunner runner, String goBinary, Path workDir, List<String> names) {
        String bin = goBinary == null || goBinary.isBlank() ? "go" : goBinary;
        List<String> argv = new ArrayList<>(List.of(bin, "env"));
        argv.addAll(names);
        List<String> out = new ArrayList<>();
        CommandResult r = runner.run(CommandRequest.of(argv).withWorkDir(workDir).withTimeout(TIMEOUT).withLines(out::add));
        if (r.notFound()) {
            throw new CommandException("cannot run '" + bin + "': " + r.lastLine());
        }
        if (!r.succeeded()) {
            throw new CommandException("'" + String.join(" ", argv) + "' failed: " + r.tailText().strip());
        }
        if (out.size() < names.size()) {
            throw new CommandException("'" + String.join(" ", argv) + "' printed " + String.join(" | ", out)
                    + " (expected one line per variable)");
        }
        // go env prints one line per name, in order; anything before them (a toolchain download note) is not ours.
        List<String> values = out.subList(out.size() - names.size(), out.size());
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            m.put(names.get(i), values.get(i).strip());
        }
        return m;
    }
}
