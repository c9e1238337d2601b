package io.gopipe.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildMetadataTest {

    @Test
    void readsDigestAndNamesFromRecordedBuildxMetadata() throws Exception {
        BuildMetadata m = BuildMetadata.parse(ProgressParsersTest.resource("buildx-metadata.json"));
        assertThat(m.digest()).isEqualTo("sha256:f150576690c0c0637d0b5fcb162aa8694a7db223476208cccf0d3a65b2aed8ab");
        assertThat(m.imageNames()).containsExactly("127.0.0.1:5000/dev/bb:1");
    }

    @Test
    void readsBuildctlStyleMetadataWithSeveralNames() {
        BuildMetadata m = BuildMetadata.parse("""
                {"containerimage.config.digest":"sha256:1f04","containerimage.digest":"sha256:f150","image.name":"r/a:1,r/a:latest"}
                """);
        assertThat(m.digest()).isEqualTo("sha256:f150");
        assertThat(m.imageNames()).containsExactly("r/a:1", "r/a:latest");
    }

    @Test
    void missingFileMeansNoDigestAndGarbageIsAnError(@TempDir Path dir) throws Exception {
        assertThat(BuildMetadata.read(dir.resolve("none.json")).digest()).isNull();
        Path bad = Files.writeString(dir.resolve("bad.json"), "not json");
        assertThatThrownBy(() -> BuildMetadata.read(bad)).isInstanceOf(ImageException.class).hasMessageContaining("not JSON");
    }
}
