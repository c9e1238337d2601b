package io.gopipe.core.pod;

import io.gopipe.core.exec.CommandRequest;
import io.gopipe.core.exec.CommandResult;
import io.gopipe.core.exec.CommandRunner;
import io.gopipe.core.exec.LocalCommandRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The test's stand-in for the plugin's Launcher runner inside {@code container('build')}: every
 * command becomes {@code docker exec} into the pod's build container, the way the Kubernetes
 * plugin execs into a container. Records each command the engine asked for, so a test can check
 * that everything went this way.
 */
final class DockerExecRunner implements CommandRunner {

    /** The channel to the "kubelet": the host's docker CLI, by absolute path (the JVM's PATH has neither go nor docker). */
    private final LocalCommandRunner kubelet = new LocalCommandRunner();
    private final String docker;
    private final String container;
    private final List<List<String>> commands = new CopyOnWriteArrayList<>();

    DockerExecRunner(String docker, String container) {
        this.docker = docker;
        this.container = container;
    }

    @Override
    public CommandResult run(CommandRequest request) {
        commands.add(request.argv());
        List<String> argv = new ArrayList<>(List.of(docker, "exec"));
        if (request.workDir() != null) {
            argv.addAll(List.of("-w", request.workDir().toString()));
        }
        for (Map.Entry<String, String> e : new TreeMap<>(request.env()).entrySet()) {
            argv.addAll(List.of("-e", e.getKey() + "=" + e.getValue()));
        }
        argv.add(container);
        if (!request.unset().isEmpty()) {
            argv.add("env");
            request.unset().stream().sorted().forEach(k -> argv.addAll(List.of("-u", k)));
        }
        argv.addAll(request.argv());
        return kubelet.run(new CommandRequest(argv, null, null, null, request.timeout(), request.masker(), request.lines()));
    }

    /** Every command the engine ran, as it gave them (before the docker exec wrapping). */
    List<List<String>> commands() {
        return List.copyOf(commands);
    }

    /** The programs run, in order. */
    List<String> programs() {
        return commands.stream().map(c -> c.get(0)).toList();
    }
}
