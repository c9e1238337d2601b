package io.gopipe.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link PreviousBinary#extract} on layers written by the system's tar, in its formats. */
class PreviousBinaryTarTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"ustar", "pax", "gnu"})
    void findsTheFileAmongOthersAndCopiesItExactly(String format) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        String deep = "usr/local/share/" + "d".repeat(90) + "/" + "e".repeat(40); // > 100 characters
        Files.createDirectories(root.resolve(deep));
        Files.write(root.resolve(deep).resolve("other"), new byte[1234]);
        Files.createDirectories(root.resolve("usr/local/bin"));
        byte[] binary = new byte[70_001];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 31);
        }
        Files.write(root.resolve("usr/local/bin/orders"), binary);
        Files.createDirectories(root.resolve("usr/local/bin/" + "x".repeat(90)));
        Files.write(root.resolve("usr/local/bin/" + "x".repeat(90) + "/orders"), new byte[] {1, 2, 3});
        Path layer = tmp.resolve("layer.tar.gz");
        Process p = new ProcessBuilder("tar", "--format=" + format, "-czf", layer.toString(), "-C", root.toString(),
                "usr").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();

        Path target = tmp.resolve("ctx/usr/local/bin/orders");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(layer))) {
            assertThat(PreviousBinary.extract(in, "/usr/local/bin/orders", target)).isTrue();
        }
        assertThat(Files.readAllBytes(target)).isEqualTo(binary);
        assertThat(Files.isExecutable(target)).isTrue();
        assertThat(Files.list(target.getParent()).map(Path::getFileName).map(Path::toString).toList())
                .as("nothing left beside it").isEqualTo(List.of("orders"));

        try (InputStream in = new GZIPInputStream(Files.newInputStream(layer))) {
            assertThat(PreviousBinary.extract(in, "usr/local/bin/payments", tmp.resolve("none/payments"))).isFalse();
        }
        assertThat(tmp.resolve("none")).doesNotExist();
    }
    @Test
    void aLayerThatEndsInsideTheFileLeavesNothingInTheContext() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root/usr/local/bin"));
        Files.write(root.resolve("orders"), new byte[100_000]);
        Path layer = tmp.resolve("layer.tar");
        Process p = new ProcessBuilder("tar", "-cf", layer.toString(), "-C", tmp.resolve("root").toString(), "usr")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        byte[] whole = Files.readAllBytes(layer);
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length / 2);

        Path bin = tmp.resolve("ctx/usr/local/bin");
        assertThatThrownBy(() -> PreviousBinary.extract(new java.io.ByteArrayInputStream(cut), "usr/local/bin/orders",
                bin.resolve("orders"))).isInstanceOf(java.io.IOException.class);
        try (var left = Files.list(bin)) {
            assertThat(left.toList()).as("no binary and no half-written file in the image's context").isEmpty();
        }
    }
    @Test
    void bytesThatAreNoTarAreAnIoErrorAndPlaceNothing() {
        byte[] junk = new byte[4096];
        java.util.Arrays.fill(junk, (byte) 'z');
        Path bin = tmp.resolve("ctx2/usr/local/bin");
        assertThatThrownBy(() -> PreviousBinary.extract(new java.io.ByteArrayInputStream(junk), "usr/local/bin/orders",
                bin.resolve("orders"))).isInstanceOf(java.io.IOException.class).hasMessageContaining("not a tar header");
        assertThat(bin.resolve("orders")).doesNotExist();
    }
}
