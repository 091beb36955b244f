package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.Origin;
import dev.streamnorm.operators.internal.PendingBatch;
import dev.streamnorm.state.ChannelMoments;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's serializer contract for {@link PendingBatchSerializer}. */
class PendingBatchSerializerTest extends SerializerTestBase<PendingBatch> {

    @Override
    protected TypeSerializer<PendingBatch> createSerializer() {
        return PendingBatchSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<PendingBatch> getTypeClass() {
        return PendingBatch.class;
    }

    /**
     * {@code rows} records of {@code channels} channels × {@code positions}, with their moments.
     */
    private static PendingBatch batch(int channels, int positions, double[][] rows, long deadline) {
        ChannelMoments moments = new ChannelMoments(channels);
        for (double[] row : rows) {
            for (int c = 0; c < channels; c++) {
                for (int l = 0; l < positions; l++) {
                    moments.accept(c, row[c * positions + l]);
                }
            }
        }
        long[] timestamps = new long[rows.length];
        byte[][] payloads = new byte[rows.length][];
        Origin[] origins = new Origin[rows.length];
        for (int i = 0; i < rows.length; i++) {
            timestamps[i] = i == 0 ? Long.MIN_VALUE : 1_732_272_000_000L + i;
            payloads[i] = ("{\"id\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            origins[i] =
                    i % 3 == 0
                            ? Origin.none()
                            : i % 3 == 1
                                    ? Origin.kafka("features", i, 1000L + i)
                                    : Origin.file("/data/in.jsonl", i);
        }
        return PendingBatch.of(
                channels * positions, moments, deadline, timestamps, rows, payloads, origins);
    }

    @Override
    protected PendingBatch[] getTestData() {
        return new PendingBatch[] {
            batch(1, 1, new double[0][], PendingBatch.NO_DEADLINE),
            batch(3, 1, new double[][] {{0.31, -1.2, 4.0}}, 10_000L),
            batch(
                    2,
                    2,
                    new double[][] {
                        {-0.0, Double.MIN_VALUE, 1e150, -1e-150},
                        {1e9 + 0.5, 1e9 - 0.5, 7, 7},
                        {-Double.MAX_VALUE / 4, 3, 0, 1}
                    },
                    PendingBatch.NO_DEADLINE),
            batch(1, 1, new double[][] {{1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}}, 0L)
        };
    }
}
