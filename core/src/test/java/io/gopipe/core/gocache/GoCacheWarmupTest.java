package io.gopipe.core.gocache;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The warm-up prints nothing (a gocache process's stdout may be go's protocol) and loads the native library. */
class GoCacheWarmupTest {

    @Test
    void theWarmUpLoadsTheNativeLibraryAndPrintsNothing() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(printed, true));
            System.setErr(new PrintStream(printed, true));
            GoCacheWarmup.run();
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        assertThat(printed.toByteArray()).isEmpty();
        assertThat(com.github.luben.zstd.util.Native.isLoaded()).isTrue();
    }
}
