package dev.streamnorm.state.typeutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.ExponentialMoments;
import dev.streamnorm.state.RunningStats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Serializer format v1 stays readable: the committed files under {@code
 * src/test/resources/serializer-golden/v1/} hold the hard-coded values below, written by the v1
 * serializers (see {@link GoldenFilesWriter}). They must deserialize to exactly these values (bit
 * for bit) and re-serialize to exactly the same bytes.
 */
class GoldenBytesTest {
    private static final HexFormat HEX = HexFormat.of();

    // ---------------------------------------------------------------------------------------
    // the hard-coded values

    static final double[] RUNNING_MEAN = {0.1, -0.0, 1e150, -7.25};
    static final double[] RUNNING_VARIANCE = {1.0, Double.MIN_VALUE, 2.5e300, 1.0 / 3};
    static final long NUM_BATCHES_TRACKED = 1_234_567_890_123L;

    static final long[] MOMENTS_COUNT = {0, 1, 4, 9_000_000_000L};
    static final double[] MOMENTS_MEAN = {0.0, -3.25, 1e9 + 10, 1e-150};
    static final double[] MOMENTS_M2 = {0.0, 0.0, 90.0, 0.01};

    static final long EMA_COUNT = 42;
    static final double[] EMA_MEAN = {0.1, -1e150, -0.0};
    static final double[] EMA_VARIANCE = {0.01, 0.0, Double.MIN_NORMAL};

    static RunningStats runningStats() {
        return RunningStats.of(RUNNING_MEAN.clone(), RUNNING_VARIANCE.clone(), NUM_BATCHES_TRACKED);
    }

    static ChannelMoments channelMoments() {
        return ChannelMoments.of(MOMENTS_COUNT.clone(), MOMENTS_MEAN.clone(), MOMENTS_M2.clone());
    }

    static ExponentialMoments exponentialMoments() {
        return ExponentialMoments.of(EMA_COUNT, EMA_MEAN.clone(), EMA_VARIANCE.clone());
    }

    // The same values spelled out as format v1 bytes (big-endian), field by field.

    private static final String RUNNING_STATS_HEX =
            "01" // format version
                    + "00000004" // channels
                    + "3fb999999999999a"
                    + "8000000000000000" // mean: 0.1, -0.0
                    + "5f138d352e5096af"
                    + "c01d000000000000" // 1e150, -7.25
                    + "3ff0000000000000"
                    + "0000000000000001" // variance: 1.0, MIN_VALUE
                    + "7e4ddd4baa009303"
                    + "3fd5555555555555" // 2.5e300, 1/3
                    + "0000011f71fb04cb"; // num_batches_tracked

    private static final String CHANNEL_MOMENTS_HEX =
            "01" // format version
                    + "00000004" // channels
                    + "0000000000000000"
                    + "0000000000000001" // count: 0, 1
                    + "0000000000000004"
                    + "0000000218711a00" // 4, 9e9
                    + "0000000000000000"
                    + "c00a000000000000" // mean: 0.0, -3.25
                    + "41cdcd6505000000"
                    + "20ca2fe76a3f9475" // 1e9 + 10, 1e-150
                    + "0000000000000000"
                    + "0000000000000000" // m2: 0.0, 0.0
                    + "4056800000000000"
                    + "3f847ae147ae147b"; // 90.0, 0.01

    private static final String EXPONENTIAL_MOMENTS_HEX =
            "01" // format version
                    + "000000000000002a" // count
                    + "00000003" // size
                    + "3fb999999999999a"
                    + "df138d352e5096af" // mean: 0.1, -1e150
                    + "8000000000000000" // -0.0
                    + "3f847ae147ae147b"
                    + "0000000000000000" // variance: 0.01, 0.0
                    + "0010000000000000"; // MIN_NORMAL

    // ---------------------------------------------------------------------------------------

    @Test
    void committedFilesHoldTheDocumentedFormatV1Bytes() throws IOException {
        assertThat(HEX.formatHex(golden(GoldenFilesWriter.RUNNING_STATS)))
                .isEqualTo(RUNNING_STATS_HEX);
        assertThat(HEX.formatHex(golden(GoldenFilesWriter.CHANNEL_MOMENTS)))
                .isEqualTo(CHANNEL_MOMENTS_HEX);
        assertThat(HEX.formatHex(golden(GoldenFilesWriter.EXPONENTIAL_MOMENTS)))
                .isEqualTo(EXPONENTIAL_MOMENTS_HEX);
    }

    @Test
    void runningStatsV1DeserializesToTheHardCodedValues() throws IOException {
        byte[] bytes = golden(GoldenFilesWriter.RUNNING_STATS);
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        RunningStats stats = RunningStatsSerializer.INSTANCE.deserialize(in);
        assertThat(in.available()).as("trailing bytes").isZero();

        assertThat(bits(stats.meanArray())).containsExactly(bits(RUNNING_MEAN));
        assertThat(bits(stats.varianceArray())).containsExactly(bits(RUNNING_VARIANCE));
        assertThat(stats.numBatchesTracked()).isEqualTo(NUM_BATCHES_TRACKED);

        assertThat(GoldenFilesWriter.bytes(RunningStatsSerializer.INSTANCE, stats))
                .isEqualTo(bytes);
    }

    @Test
    void channelMomentsV1DeserializesToTheHardCodedValues() throws IOException {
        byte[] bytes = golden(GoldenFilesWriter.CHANNEL_MOMENTS);
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        ChannelMoments moments = ChannelMomentsSerializer.INSTANCE.deserialize(in);
        assertThat(in.available()).as("trailing bytes").isZero();

        assertThat(moments.channels()).isEqualTo(4);
        for (int c = 0; c < 4; c++) {
            assertThat(moments.count(c)).isEqualTo(MOMENTS_COUNT[c]);
            assertThat(bits(moments.mean(c))).isEqualTo(bits(MOMENTS_MEAN[c]));
            assertThat(bits(moments.m2(c))).isEqualTo(bits(MOMENTS_M2[c]));
        }

        assertThat(GoldenFilesWriter.bytes(ChannelMomentsSerializer.INSTANCE, moments))
                .isEqualTo(bytes);
    }

    @Test
    void exponentialMomentsV1DeserializesToTheHardCodedValues() throws IOException {
        byte[] bytes = golden(GoldenFilesWriter.EXPONENTIAL_MOMENTS);
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        ExponentialMoments moments = ExponentialMomentsSerializer.INSTANCE.deserialize(in);
        assertThat(in.available()).as("trailing bytes").isZero();

        assertThat(moments.count()).isEqualTo(EMA_COUNT);
        assertThat(moments.size()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(bits(moments.mean(i))).isEqualTo(bits(EMA_MEAN[i]));
            assertThat(bits(moments.variance(i))).isEqualTo(bits(EMA_VARIANCE[i]));
        }

        assertThat(GoldenFilesWriter.bytes(ExponentialMomentsSerializer.INSTANCE, moments))
                .isEqualTo(bytes);
    }

    @Test
    void writerReproducesTheCommittedFiles(@TempDir Path directory) throws IOException {
        GoldenFilesWriter.write(directory);
        for (String name :
                new String[] {
                    GoldenFilesWriter.RUNNING_STATS,
                    GoldenFilesWriter.CHANNEL_MOMENTS,
                    GoldenFilesWriter.EXPONENTIAL_MOMENTS
                }) {
            assertThat(Files.readAllBytes(directory.resolve(name)))
                    .as(name)
                    .isEqualTo(golden(name));
        }
    }

    @Test
    void formatVersion9IsRejected() throws IOException {
        assertVersion9Rejected(RunningStatsSerializer.INSTANCE, GoldenFilesWriter.RUNNING_STATS);
        assertVersion9Rejected(
                ChannelMomentsSerializer.INSTANCE, GoldenFilesWriter.CHANNEL_MOMENTS);
        assertVersion9Rejected(
                ExponentialMomentsSerializer.INSTANCE, GoldenFilesWriter.EXPONENTIAL_MOMENTS);
    }

    private static void assertVersion9Rejected(VersionedSerializer<?> serializer, String file)
            throws IOException {
        byte[] bytes = golden(file);
        bytes[0] = 9;
        assertThatThrownBy(() -> serializer.deserialize(new DataInputDeserializer(bytes)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("expected format version 1..1, actual 9");
    }

    static byte[] golden(String name) throws IOException {
        String resource = "/" + GoldenFilesWriter.RESOURCE_DIRECTORY + "/" + name;
        try (InputStream in = GoldenBytesTest.class.getResourceAsStream(resource)) {
            assertThat(in).as("golden file %s on the test classpath", resource).isNotNull();
            return in.readAllBytes();
        }
    }

    private static long bits(double value) {
        return Double.doubleToRawLongBits(value);
    }

    private static long[] bits(double[] values) {
        long[] bits = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = bits(values[i]);
        }
        return bits;
    }
}
