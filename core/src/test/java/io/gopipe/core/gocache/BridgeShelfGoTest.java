package io.gopipe.core.gocache;

import io.gopipe.core.exec.CommandRunner;
import io.gopipe.core.exec.LocalCommandRunner;
import io.gopipe.core.gocache.store.LocalObjectStore;
import io.gopipe.core.gocache.store.ObjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

import static io.gopipe.core.gocache.GoCacheGoTest.GO;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bridges kept in the store, with the real Go 1.24: the first agent compiles and publishes, a fresh
 * agent downloads the same bytes and runs no {@code go build}, a damaged object is a miss that the
 * next compile repairs, and a read-only agent publishes nothing.
 */
class BridgeShelfGoTest {

    @TempDir
    Path work;

    private final List<String> commands = Collections.synchronizedList(new ArrayList<>());
    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    private final LocalCommandRunner local = new LocalCommandRunner();
    /** The real runner, noting which go subcommands ran. */
    private final CommandRunner runner = request -> {
        commands.add(String.join(" ", request.argv().subList(1, Math.min(2, request.argv().size()))));
        return local.run(request);
    };

    @Test
    void aFreshAgentDownloadsTheBridgeAnotherAgentBuiltAndADamagedOneIsRebuilt() throws Exception {
        Path storeRoot = work.resolve("store");
        ObjectStore store = new LocalObjectStore(storeRoot);
        BridgeShelf shelf = new BridgeShelf(store, false, warnings::add);

        Path first = BridgeBinary.build(runner, GO.toString(), work.resolve("agent-a"), shelf);
        assertThat(commands).as("the first agent compiles").contains("build");
        List<String> stored = names(store);
        assertThat(stored).hasSize(1).allMatch(n -> n.startsWith("t/gocache-bridge-"));

        commands.clear();
        Path second = BridgeBinary.build(runner, GO.toString(), work.resolve("agent-b"), shelf);
        assertThat(commands).as("a fresh agent downloads instead of compiling").doesNotContain("build");
        assertThat(second).isExecutable().isNotEqualTo(first);
        assertThat(Files.mismatch(first, second)).as("the same bytes").isEqualTo(-1L);
        try (var s = Files.list(work.resolve("agent-b"))) {
            assertThat(s.map(p -> p.getFileName().toString()).collect(Collectors.toList()))
                    .as("no temporary file left").containsExactly(second.getFileName().toString());
        }
        assertThat(warnings).isEmpty();

        // One flipped byte in the stored binary: a miss with one warning, compiled, and the object repaired.
        Path object = storeRoot.resolve(stored.get(0));
        byte[] bytes = Files.readAllBytes(object);
        bytes[bytes.length - 100] ^= 0x55;
        Files.write(object, bytes);
        commands.clear();
        Path third = BridgeBinary.build(runner, GO.toString(), work.resolve("agent-c"), shelf);
        assertThat(warnings).hasSize(1).allMatch(w -> w.contains("damaged"));
        assertThat(commands).contains("build");
        assertThat(Files.mismatch(first, third)).isEqualTo(-1L);
        assertThat(BridgeShelf.unwrap(Files.readAllBytes(object))).as("repaired in the store").isEqualTo(Files.readAllBytes(first));
    }

    @Test
    void aBridgeBuiltBeforeTheStoreHadItIsPublishedOnTheNextUse() throws Exception {
        Path agent = work.resolve("agent");
        Path bin = BridgeBinary.build(runner, GO.toString(), agent);
        ObjectStore store = new LocalObjectStore(work.resolve("store"));
        commands.clear();
        assertThat(BridgeBinary.build(runner, GO.toString(), agent, new BridgeShelf(store, false, warnings::add))).isEqualTo(bin);
        assertThat(commands).doesNotContain("build");
        assertThat(names(store)).hasSize(1);
        assertThat(BridgeShelf.unwrap(Files.readAllBytes(work.resolve("store").resolve(names(store).get(0))))).isEqualTo(Files.readAllBytes(bin));
    }

    @Test
    void aReadOnlyAgentPublishesNothing() throws Exception {
        ObjectStore store = new LocalObjectStore(work.resolve("store"));
        Path bin = BridgeBinary.build(runner, GO.toString(), work.resolve("agent"), new BridgeShelf(store, true, warnings::add));
        assertThat(bin).isExecutable();
        assertThat(names(store)).isEmpty();
        assertThat(warnings).isEmpty();
    }

    @Test
    void anObjectThatIsNotABridgeIsRefused() {
        assertThat(BridgeShelf.unwrap(new byte[0])).isNull();
        assertThat(BridgeShelf.unwrap("#!/bin/sh\necho hi\n".getBytes())).isNull();
        byte[] whole = BridgeShelf.wrap(new byte[] {1, 2, 3});
        assertThat(BridgeShelf.unwrap(whole)).containsExactly(1, 2, 3);
        assertThat(BridgeShelf.unwrap(java.util.Arrays.copyOf(whole, whole.length - 1))).as("truncated").isNull();
    }

    private static List<String> names(ObjectStore store) throws Exception {
        return store.list("t/").stream().map(o -> o.name()).collect(Collectors.toList());
    }
}
