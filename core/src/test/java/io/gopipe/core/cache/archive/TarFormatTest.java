package io.gopipe.core.cache.archive;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TarFormatTest {

    @Test
    void longNamesAndLinksRoundTripThroughPaxAndUstarPrefix() throws IOException {
        String longName = "github.com/" + "very-long-organisation-name/".repeat(6) + "file.go";
        String prefixName = "a".repeat(120) + "/" + "b".repeat(90);
        String longLink = "../".repeat(3) + "x".repeat(120);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(out);
        w.writeHeader(TarEntry.file(longName, 0444, 1_600_000_000L, 3));
        out.write("abc".getBytes(StandardCharsets.US_ASCII));
        w.pad(3);
        w.writeHeader(TarEntry.file(prefixName, 0644, 5, 0));
        w.writeHeader(TarEntry.directory("dir/sub", 0555, 7));
        w.writeHeader(TarEntry.symlink("l/".repeat(2) + "link", 9, longLink));
        out.write(TarWriter.endOfArchive());

        TarReader r = new TarReader(new ByteArrayInputStream(out.toByteArray()), "test");
        TarEntry e = r.next();
        assertThat(e).isEqualTo(TarEntry.file(longName, 0444, 1_600_000_000L, 3));
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        r.copyContent(content, new byte[2]);
        assertThat(content.toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
        assertThat(r.next()).isEqualTo(TarEntry.file(prefixName, 0644, 5, 0));
        assertThat(r.next()).isEqualTo(TarEntry.directory("dir/sub", 0555, 7));
        assertThat(r.next()).isEqualTo(TarEntry.symlink("l/l/link", 9, longLink));
        assertThat(r.next()).isNull();
    }

    @Test
    void damagedHeaderIsDetectedByItsChecksum() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TarWriter(out).writeHeader(TarEntry.directory("d", 0755, 1));
        byte[] bytes = out.toByteArray();
        bytes[0] = 'e';
        assertThatThrownBy(() -> new TarReader(new ByteArrayInputStream(bytes), "x").next())
                .isInstanceOf(CorruptArchiveException.class).hasMessageContaining("checksum");
    }

    @Test
    void pathRules() {
        assertThat(SafePaths.checkMemberPath("a/b@v1/c.go")).isEqualTo("a/b@v1/c.go");
        for (String bad : new String[] {"", "/etc/passwd", "a/../b", "..", "./a", "a//b", "a/", "a\0b"}) {
            assertThatThrownBy(() -> SafePaths.checkMemberPath(bad)).isInstanceOf(UnsafeArchiveException.class);
        }
        assertThat(SafePaths.checkSymlinkTarget("a/b/link", "../../x/y")).isEqualTo("../../x/y");
        assertThat(SafePaths.checkSymlinkTarget("a/link", "sibling")).isEqualTo("sibling");
        for (String bad : new String[] {"../../../x", "/abs", "x/../..", "x/..", "./x", ""}) {
            assertThatThrownBy(() -> SafePaths.checkSymlinkTarget("a/b/link", bad)).isInstanceOf(UnsafeArchiveException.class);
        }
    }
}
