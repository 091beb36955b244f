package dev.streamnorm.state.typeutils;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.state.DriftStats;
import java.util.HexFormat;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@link DriftStatsSerializer} format v1 stays readable: these bytes, spelled out field by field
 * (big-endian), deserialize to exactly these values and re-serialize to exactly these bytes.
 */
class DriftStatsGoldenBytesTest {
    private static final HexFormat HEX = HexFormat.of();

    private static final String V1 =
            "01" // format version
                    + "0000000000000007" // records
                    + "00000002" // channels
                    + "3fe0000000000000"
                    + "c000000000000000" // mean: 0.5, -2.0
                    + "3fd0000000000000"
                    + "01a56e1fc2f8f359" // variance: 0.25, 1e-300
                    + "3ff0000000000000"
                    + "8000000000000000" // served mean: 1.0, -0.0
                    + "401000029f16b11c"
                    + "3fe0000000000000" // served variance: 4.00001, 0.5
                    + "0000000000000000"
                    + "3fc0000000000000"
                    + "3fe0000000000000"
                    + "3fd8000000000000" // channel 0: 0, 0.125, 0.5, 0.375, then 0 x 6
                    + "0000000000000000".repeat(6)
                    + "3fb999999999999a".repeat(10); // channel 1: 0.1 x 10

    private static DriftStats expected() {
        double[] histogram = new double[20];
        histogram[1] = 0.125;
        histogram[2] = 0.5;
        histogram[3] = 0.375;
        for (int k = 10; k < 20; k++) {
            histogram[k] = 0.1;
        }
        return DriftStats.of(
                7,
                new double[] {0.5, -2.0},
                new double[] {0.25, 1e-300},
                histogram,
                new double[] {1.0, -0.0},
                new double[] {4.00001, 0.5});
    }

    @Test
    void formatV1ReadsBackBitForBitAndWritesTheSameBytes() throws Exception {
        byte[] bytes = HEX.parseHex(V1);
        DriftStats read =
                DriftStatsSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes));
        assertThat(read).isEqualTo(expected());
        assertThat(Double.doubleToRawLongBits(read.servedMean(1)))
                .isEqualTo(Double.doubleToRawLongBits(-0.0));
        DataOutputSerializer out = new DataOutputSerializer(bytes.length);
        DriftStatsSerializer.INSTANCE.serialize(read, out);
        assertThat(HEX.formatHex(out.getCopyOfBuffer())).isEqualTo(V1);
    }
}
