package dev.streamnorm.jobs.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalPathTest {
    @Test
    void aPlainPathIsThatPath() {
        assertThat(LocalPath.parse("/abs/stats.json")).isEqualTo(Path.of("/abs/stats.json"));
        assertThat(LocalPath.parse("rel/stats.json")).isEqualTo(Path.of("rel/stats.json"));
        assertThat(LocalPath.parse(" stats.json ")).isEqualTo(Path.of("stats.json"));
    }

    @Test
    void everyFormOfAFileUriIsTheAbsolutePath() {
        assertThat(LocalPath.parse("file:///abs/stats.json")).isEqualTo(Path.of("/abs/stats.json"));
        assertThat(LocalPath.parse("file:/abs/stats.json")).isEqualTo(Path.of("/abs/stats.json"));
        assertThat(LocalPath.parse("file://localhost/abs/stats.json"))
                .isEqualTo(Path.of("/abs/stats.json"));
        assertThat(LocalPath.parse("FILE:///abs/a%20b.json")).isEqualTo(Path.of("/abs/a b.json"));
    }

    @Test
    void otherSchemesAndHostsAreRefusedInOneLine() {
        for (String text :
                new String[] {"s3://bucket/stats.json", "hdfs://nn:8020/x", "file://host/x"}) {
            assertThatThrownBy(() -> LocalPath.parse(text))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "'"
                                    + text
                                    + "' is not a local file: use a path (dir/file.json) or a"
                                    + " file:///absolute/path URI");
        }
        assertThatThrownBy(() -> LocalPath.parse("file:relative.json"))
                .hasMessageContaining("is not a local file");
        assertThatThrownBy(() -> LocalPath.parse("file:///a b"))
                .hasMessageStartingWith("'file:///a b' is not a valid file URI");
        assertThatThrownBy(() -> LocalPath.parse("  ")).hasMessage("an empty file name");
    }

    @Test
    void flinkUrisKeepSchemesAndMakePlainPathsAbsolute() {
        assertThat(LocalPath.flinkUri("s3://bucket/checkpoints"))
                .isEqualTo("s3://bucket/checkpoints");
        assertThat(LocalPath.flinkUri("file:///tmp/sp")).isEqualTo("file:///tmp/sp");
        assertThat(LocalPath.flinkUri("/tmp/sp")).isEqualTo("file:///tmp/sp");
        assertThat(LocalPath.flinkUri("sp"))
                .isEqualTo(Path.of("sp").toAbsolutePath().toUri().toString());
        assertThat(LocalPath.isLocal("/tmp/x")).isTrue();
        assertThat(LocalPath.isLocal("file:///tmp/x")).isTrue();
        assertThat(LocalPath.isLocal("s3://b/x")).isFalse();
    }
}
