package io.gopipe.cli;

import io.gopipe.core.fixture.ChangeSet;
import io.gopipe.core.fixture.Expectation;
import io.gopipe.core.fixture.Fixture;
import io.gopipe.core.fixture.FixtureCommit;
import io.gopipe.core.fixture.FixtureException;
import io.gopipe.core.fixture.FixtureLoader;
import io.gopipe.core.fixture.FixtureMaterializer;
import io.gopipe.core.fixture.FixtureTarget;
import io.gopipe.core.fixture.MaterializedFixture;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gopipe fixture}: turns test-repos fixtures into git repositories and lists their scenarios. */
@Command(name = "fixture", mixinStandardHelpOptions = true,
        description = "Go monorepo fixtures (test-repos/<name>): materialize as a git repository, list scenarios.",
        subcommands = {FixtureCommand.Materialize.class, FixtureCommand.ListChanges.class})
public final class FixtureCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static int fail(CommandLine.Model.CommandSpec spec, FixtureException e) {
        spec.commandLine().getErr().println("gopipe fixture: " + e.getMessage());
        return 2;
    }

    /** {@code gopipe fixture materialize DIR --out OUT [--upto NN]}. */
    @Command(name = "materialize", mixinStandardHelpOptions = true,
            description = "Write the fixture as a git repository: a 'base' commit, then one commit per change set.")
    static final class Materialize implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FIXTURE", description = "Fixture directory, e.g. test-repos/shop.")
        Path fixture;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "New or empty directory for the repository.")
        Path out;

        @Option(names = "--upto", paramLabel = "NN", description = "Stop after this change set (number or full name).")
        String upto;

        @Option(names = "--no-tags", description = "Do not tag commits change/<name>.")
        boolean noTags;

        @Override
        public Integer call() {
            try {
                Fixture f = new FixtureLoader().load(fixture);
                MaterializedFixture m = new FixtureMaterializer().materialize(f, out,
                        new FixtureMaterializer.Options(Optional.ofNullable(upto), !noTags));
                PrintWriter w = spec.commandLine().getOut();
                for (FixtureCommit c : m.commits()) {
                    w.printf("%s  %s%n", c.sha(), c.name());
                }
                w.printf("%d commits in %s%n", m.commits().size(), m.repo());
                w.flush();
                return 0;
            } catch (FixtureException e) {
                return fail(spec, e);
            }
        }
    }

    /** {@code gopipe fixture list DIR}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the change sets of a fixture with their expected results.")
    static final class ListChanges implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FIXTURE", description = "Fixture directory, e.g. test-repos/shop.")
        Path fixture;

        @Override
        public Integer call() {
            try {
                Fixture f = new FixtureLoader().load(fixture);
                PrintWriter w = spec.commandLine().getOut();
                w.printf("fixture %s: %d change sets%n", f.name(), f.changes().size());
                for (ChangeSet c : f.changes()) {
                    Expectation e = c.expectation();
                    StringBuilder line = new StringBuilder(String.format("%-40s affected=%s", c.name(), list(e.affected())));
                    if (!e.testAffected().isEmpty()) {
                        line.append(" testAffected=").append(list(e.testAffected()));
                    }
                    e.all().ifPresent(a -> line.append(" all=").append(a));
                    e.base().ifPresent(b -> line.append(" base=").append(b));
                    if (!e.target().equals(FixtureTarget.DEFAULT)) {
                        line.append(" target=").append(e.target().label());
                    }
                    w.println(line);
                    w.println("    " + c.message());
                }
                w.flush();
                return 0;
            } catch (FixtureException e) {
                return fail(spec, e);
            }
        }

        private static String list(List<String> names) {
            return "[" + String.join(",", names) + "]";
        }
    }
}
