package dev.streamnorm.operators.typeutils;

import dev.streamnorm.operators.Origin;
import dev.streamnorm.operators.internal.PendingBatch;
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

    /** A batch of {@code rows}, records of {@code length} values. */
    private static PendingBatch batch(int length, double[][] rows, long deadline) {
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
        return PendingBatch.of(length, deadline, timestamps, rows, payloads, origins);
    }

    @Override
    protected PendingBatch[] getTestData() {
        return new PendingBatch[] {
            batch(1, new double[0][], PendingBatch.NO_DEADLINE),
            batch(3, new double[][] {{0.31, -1.2, 4.0}}, 10_000L),
            batch(
                    4,
                    new double[][] {
                        {-0.0, Double.MIN_VALUE, 1e150, -1e-150},
                        {1e9 + 0.5, 1e9 - 0.5, 7, 7},
                        {-Double.MAX_VALUE / 4, 3, 0, 1}
                    },
                    PendingBatch.NO_DEADLINE),
            batch(1, new double[][] {{1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}}, 0L)
        };
    }
}
