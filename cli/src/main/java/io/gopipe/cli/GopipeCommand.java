package io.gopipe.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Entry point of the {@code gopipe} command: a thin adapter over the core engine. */
@Command(name = "gopipe", mixinStandardHelpOptions = true, version = "gopipe 0.1.0",
        description = "Fast container pipelines for Go monorepos.")
public final class GopipeCommand implements Runnable {

    /** Subcommands in help order, built on demand. */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = new LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("help", CommandLine.HelpCommand::new);
        SUBCOMMANDS.put("affected", AffectedCommand::new);
        SUBCOMMANDS.put("fixture", FixtureCommand::new);
        SUBCOMMANDS.put("cache", CacheCommand::new);
        SUBCOMMANDS.put("image", ImageCommand::new);
        SUBCOMMANDS.put("gocache", GoCacheCommand::new);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        if (args.length > 1 && args[0].equals("gocache") && args[1].equals("serve")) {
            // a fresh agent's daemon reads the store right after parsing: the classes and native library
            // of its first answers load meanwhile (bench/gocache/README.md). Not for the program, which
            // starts once per go command and often has a local store that needs none of them.
            io.gopipe.core.gocache.GoCacheWarmup.startInBackground();
        }
        System.exit(newCommandLine(args.length == 0 ? null : args[0]).execute(args));
    }

    /** The configured command line with every subcommand, as the tests use it. */
    public static CommandLine newCommandLine() {
        return newCommandLine(null);
    }

    /**
     * The command line for a run whose first argument is {@code first}: when that names a
     * subcommand other than {@code help}, only that one is built. Picocli reflects over every
     * option of every registered command at start-up, about 0.2 s of each short CLI run.
     */
    static CommandLine newCommandLine(String first) {
        CommandLine cli = new CommandLine(new GopipeCommand());
        if (first != null && !first.equals("help") && SUBCOMMANDS.containsKey(first)) {
            cli.addSubcommand(SUBCOMMANDS.get(first).get());
        } else {
            SUBCOMMANDS.values().forEach(factory -> cli.addSubcommand(factory.get()));
        }
        return cli;
    }
}
