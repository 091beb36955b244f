package dev.streamnorm.state.typeutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamnorm.state.scaler.MaxAbsScalerStats;
import dev.streamnorm.state.scaler.MinMaxScalerStats;
import dev.streamnorm.state.scaler.RobustExactStats;
import dev.streamnorm.state.scaler.RobustWindowStats;
import dev.streamnorm.state.scaler.ScalerKind;
import dev.streamnorm.state.scaler.ScalerStats;
import dev.streamnorm.state.scaler.StandardScalerStats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.junit.jupiter.api.Test;

/**
 * {@link ScalerStatsSerializer} format v1 stays readable: the committed files under {@code
 * src/test/resources/serializer-golden/v1/scaler-stats-*.bin} hold the values below. They must
 * deserialize to exactly these values and re-serialize to exactly the same bytes. Regenerate (for a
 * new format only, into a new directory) with {@code -Dstreamnorm.golden.write=true}.
 */
class ScalerStatsGoldenBytesTest {
    private static final HexFormat HEX = HexFormat.of();

    /** The standard scaler's bytes spelled out field by field. */
    private static final String STANDARD_HEX =
            "01" // format version
                    + "01" // class: standard
                    + "0000000000000007" // count 7
                    + "00000002" // features
                    + "3fb999999999999a" // mean: 0.1
                    + "8000000000000000" // -0.0
                    + "3c80000000000000" // mean error: 2^-55
                    + "0000000000000000" // 0
                    + "3ff0000000000000" // var: 1.0
                    + "0000000000000001"; // Double.MIN_VALUE

    static Map<String, ScalerStats> values() {
        Map<String, ScalerStats> values = new LinkedHashMap<>();
        values.put(
                "standard",
                StandardScalerStats.of(
                        7,
                        new double[] {0.1, -0.0},
                        new double[] {Math.scalb(1.0, -55), 0},
                        new double[] {1.0, Double.MIN_VALUE}));
        values.put(
                "minmax",
                MinMaxScalerStats.of(3, new double[] {-1e150, -0.0}, new double[] {2.5, 0.0}));
        values.put("maxabs", MaxAbsScalerStats.of(9_000_000_000L, new double[] {0, 1e-300, 7}));
        ScalerStats robust = ScalerStats.empty(ScalerKind.ROBUST, 2, 300);
        for (int i = 0; i < 5; i++) {
            robust.accept(new double[] {i * 0.5, -i});
        }
        values.put("robust", robust);
        values.put("robust-window", RobustWindowStats.of(2, 3, 4, new double[] {1, 2, 3, 4, 5, 6}));
        values.put(
                "robust-exact",
                RobustExactStats.of(3, new double[][] {{2.5, -0.0, 1e300}, {1, 1, 1}}));
        return values;
    }

    @Test
    void committedFilesDeserializeToTheValuesAndBack() throws IOException {
        for (Map.Entry<String, ScalerStats> e : values().entrySet()) {
            byte[] golden = golden(e.getKey());
            ScalerStats read =
                    ScalerStatsSerializer.INSTANCE.deserialize(new DataInputDeserializer(golden));
            assertThat(read).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(GoldenFilesWriter.bytes(ScalerStatsSerializer.INSTANCE, read))
                    .as(e.getKey())
                    .isEqualTo(golden);
        }
        assertThat(HEX.formatHex(golden("standard"))).isEqualTo(STANDARD_HEX);
    }

    @Test
    void unknownClassAndNewerFormatAreRejected() {
        byte[] unknownClass = HEX.parseHex("0109000000000000000700000001");
        assertThatThrownBy(
                        () ->
                                ScalerStatsSerializer.INSTANCE.deserialize(
                                        new DataInputDeserializer(unknownClass)))
                .hasMessage("Corrupt ScalerStats: unknown class 9");
        byte[] newer = HEX.parseHex("02");
        assertThatThrownBy(
                        () ->
                                ScalerStatsSerializer.INSTANCE.deserialize(
                                        new DataInputDeserializer(newer)))
                .hasMessageContaining("expected format version 1..1, actual 2");
    }

    /** Writes the golden files, only when asked to ({@code -Dstreamnorm.golden.write=true}). */
    @Test
    void writeWhenAsked() throws IOException {
        if (!Boolean.getBoolean(GoldenFilesWriter.WRITE_PROPERTY)) {
            return;
        }
        Path directory =
                Path.of("src/test/resources").resolve(GoldenFilesWriter.RESOURCE_DIRECTORY);
        for (Map.Entry<String, ScalerStats> e : values().entrySet()) {
            Files.write(
                    directory.resolve("scaler-stats-" + e.getKey() + ".bin"),
                    GoldenFilesWriter.bytes(ScalerStatsSerializer.INSTANCE, e.getValue()));
        }
    }

    private static byte[] golden(String name) throws IOException {
        String resource =
                "/" + GoldenFilesWriter.RESOURCE_DIRECTORY + "/scaler-stats-" + name + ".bin";
        try (InputStream in = ScalerStatsGoldenBytesTest.class.getResourceAsStream(resource)) {
            assertThat(in).as("golden file %s on the test classpath", resource).isNotNull();
            return in.readAllBytes();
        }
    }
}
