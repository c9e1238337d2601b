package io.gopipe.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code gopipe} command: a thin adapter over the core engine. */
@Command(name = "gopipe", mixinStandardHelpOptions = true, version = "gopipe 0.1.0",
        description = "Fast container pipelines for Go monorepos.",
        subcommands = {
                CommandLine.HelpCommand.class,
                CacheCommand.class,
        })
public final class GopipeCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and the tests. */
    public static CommandLine newCommandLine() {
        return new CommandLine(new GopipeCommand());
    }
}
