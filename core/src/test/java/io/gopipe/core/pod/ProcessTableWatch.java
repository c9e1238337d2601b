package io.gopipe.core.pod;

import java.security.Permission;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records every process this JVM starts that the pod harness did not start: the engine must start
 * none itself. On Java 17 it hooks {@code SecurityManager.checkExec}, which ProcessBuilder and
 * Runtime.exec both call before every start, on the starting thread (a call from a file's
 * execute-permission check is told apart by ProcessBuilder not being on the stack); a start counts as the
 * harness's when {@link DockerExecRunner} or the test's own {@code host(...)} is on that thread's
 * stack. Where a JDK no longer allows a SecurityManager it falls back to sampling this JVM's
 * children every 2 ms, which can miss a command that ends faster than that (the pod-model JVM's
 * PATH without go or docker still makes such a start fail).
 */
final class ProcessTableWatch implements AutoCloseable {

    /** The docker subcommands the test harness itself uses (for the sampling fallback). */
    private static final Set<String> HARNESS = Set.of("exec", "run", "rm", "inspect", "image", "version", "ps", "kill");

    private final String docker;
    private final List<String> escapes = new CopyOnWriteArrayList<>();
    private final ProcessHandle.Info self = ProcessHandle.current().info();
    private final boolean hooked;
    private Thread sampler;
    private volatile boolean running = true;

    @SuppressWarnings("removal")
    ProcessTableWatch(String docker) {
        this.docker = docker;
        boolean ok;
        try {
            System.setSecurityManager(new ExecHook());
            ok = true;
        } catch (UnsupportedOperationException | SecurityException e) {
            ok = false;
            sampler = new Thread(this::sample, "pod-process-table-watch");
            sampler.setDaemon(true);
            sampler.start();
        }
        hooked = ok;
    }

    /** Whether every start is seen (the SecurityManager hook), not only sampled. */
    boolean exhaustive() {
        return hooked;
    }

    /** Allows everything; only looks at process starts. */
    @SuppressWarnings("removal")
    private final class ExecHook extends SecurityManager {
        @Override
        public void checkPermission(Permission perm) {
        }

        @Override
        public void checkPermission(Permission perm, Object context) {
        }

        @Override
        public void checkExec(String cmd) {
            // File.canExecute and Files.isExecutable ask checkExec too: only a start has ProcessBuilder on the stack.
            if (StackWalker.getInstance().walk(frames -> frames.noneMatch(f -> f.getClassName().equals("java.lang.ProcessBuilder")))) {
                return;
            }
            boolean harness = cmd.equals(docker) && StackWalker.getInstance().walk(frames -> frames.anyMatch(f ->
                    f.getClassName().equals(DockerExecRunner.class.getName())
                            || f.getClassName().equals(PodModelTest.class.getName()) && f.getMethodName().equals("host")));
            if (!harness) {
                escapes.add(cmd + " (started in this JVM by " + starter() + ")");
            }
        }
    }

    private static String starter() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> f.getClassName().startsWith("io.gopipe.") && !f.getClassName().startsWith(ProcessTableWatch.class.getName()))
                .findFirst().map(f -> f.getClassName() + "." + f.getMethodName()).orElse("?"));
    }

    private void sample() {
        while (running) {
            // Direct children only: whatever the engine starts itself is one.
            ProcessHandle.current().children().forEach(p -> {
                ProcessHandle.Info info = p.info();
                Optional<String> cmd = info.command();
                if (cmd.isEmpty()) {
                    return; // exited between listing and asking
                }
                String[] args = info.arguments().orElse(new String[0]);
                if (cmd.get().endsWith("/jspawnhelper") || (cmd.equals(self.command()) && args.length > 0
                        && java.util.Arrays.equals(args, self.arguments().orElse(null)))) {
                    return; // a child between fork and exec: look again next round
                }
                boolean harness = cmd.get().equals(docker) && args.length > 0 && HARNESS.contains(args[0]);
                String line = cmd.get() + " " + String.join(" ", args);
                if (!harness && !escapes.contains(line)) {
                    escapes.add(line);
                }
            });
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The processes seen that the pod harness did not start. */
    List<String> escapes() {
        return List.copyOf(escapes);
    }

    @Override
    @SuppressWarnings("removal")
    public void close() throws InterruptedException {
        running = false;
        if (hooked) {
            System.setSecurityManager(null);
        } else if (sampler != null) {
            sampler.join(1000);
        }
    }
}
