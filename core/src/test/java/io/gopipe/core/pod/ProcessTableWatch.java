package io.gopipe.core.pod;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Samples this JVM's child processes every few milliseconds and keeps every one that is not the
 * test's own docker client talking to the pod (docker exec/run/rm/...). A command the engine started
 * itself (go, git, docker buildx, ...) shows up here. Sampling can miss a process shorter than the
 * interval; the pod test therefore also runs with a PATH that has no go or docker, so such a start
 * fails outright.
 */
final class ProcessTableWatch implements AutoCloseable {

    /** The docker subcommands the test harness itself uses (through {@link DockerExecRunner} or directly). */
    private static final Set<String> HARNESS = Set.of("exec", "run", "rm", "inspect", "image", "version", "ps", "kill");

    private final String docker;
    private final ProcessHandle.Info self = ProcessHandle.current().info();
    private final List<String> escapes = new CopyOnWriteArrayList<>();
    private final Thread sampler;
    private volatile boolean running = true;

    ProcessTableWatch(String docker) {
        this.docker = docker;
        this.sampler = new Thread(this::sample, "pod-process-table-watch");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sample() {
        while (running) {
            // Direct children only: whatever the engine starts itself is one, and a grandchild can only
            // appear under a child. (descendants() walks a /proc snapshot that is not atomic; on a busy
            // machine with reused pids it once listed another build's JVM.)
            ProcessHandle.current().children().forEach(p -> {
                ProcessHandle.Info info = p.info();
                Optional<String> cmd = info.command();
                if (cmd.isEmpty()) {
                    return; // exited between listing and asking
                }
                String[] args = info.arguments().orElse(new String[0]);
                if (cmd.get().endsWith("/jspawnhelper") || (cmd.equals(self.command()) && args.length > 0
                        && java.util.Arrays.equals(args, self.arguments().orElse(null)))) {
                    return; // a child between fork and exec (the JDK's spawn helper, or still this JVM's image): look again next round
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
    public void close() throws InterruptedException {
        running = false;
        sampler.join(1000);
    }
}
