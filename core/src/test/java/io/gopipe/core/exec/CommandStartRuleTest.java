package io.gopipe.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rule of issue 11: the engine starts processes only through a {@link CommandRunner} its caller
 * chose. No class of core's main code but {@link LocalCommandRunner} may use ProcessBuilder or
 * Runtime.exec; otherwise a command would run in the agent JVM whatever {@code container()} says.
 */
class CommandStartRuleTest {

    /** The one class allowed to start processes (and its nested/lambda classes). */
    static final String ALLOWED = LocalCommandRunner.class.getName();

    @Test
    void onlyTheLocalRunnerStartsProcessesInCoreMainClasses() throws Exception {
        Path mainClasses = Path.of(LocalCommandRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(mainClasses.resolve("io/gopipe/core/image/ImageJob.class"))
                .as("core's main classes are scanned, not a jar or the test classes").exists();
        List<ProcessStartScanner.Finding> findings = ProcessStartScanner.scanTree(mainClasses);
        assertThat(findings.stream().filter(f -> !f.className().equals(ALLOWED) && !f.className().startsWith(ALLOWED + "$")))
                .as("core classes that start processes themselves; take a CommandRunner instead")
                .isEmpty();
        assertThat(findings).as("the scanner sees the local runner's own ProcessBuilder")
                .anySatisfy(f -> assertThat(f.className()).isEqualTo(ALLOWED));
    }

    @Test
    void theScannerFindsRuntimeExecAndProcessBuilderInAnyClass() throws Exception {
        try (InputStream in = Files.newInputStream(classFile(Escapes.class))) {
            assertThat(ProcessStartScanner.scan(in)).extracting(ProcessStartScanner.Finding::reference)
                    .contains("java.lang.Runtime.exec")
                    .anySatisfy(r -> assertThat(r).startsWith("java.lang.ProcessBuilder"));
        }
    }

    private static Path classFile(Class<?> c) throws Exception {
        Path root = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        return root.resolve(c.getName().replace('.', '/') + ".class");
    }

    /** What the rule must catch: never called. */
    static final class Escapes {
        static Object viaRuntime() throws Exception {
            return Runtime.getRuntime().exec(new String[] {"go", "env"});
        }

        static Object viaBuilder() throws Exception {
            return new ProcessBuilder("go", "env").start();
        }
    }
}
