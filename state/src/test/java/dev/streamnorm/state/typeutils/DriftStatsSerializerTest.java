package dev.streamnorm.state.typeutils;

import dev.streamnorm.state.DriftStats;
import dev.streamnorm.state.RunningStats;
import java.util.Random;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's serializer contract for {@link DriftStatsSerializer}. */
class DriftStatsSerializerTest extends SerializerTestBase<DriftStats> {

    @Override
    protected TypeSerializer<DriftStats> createSerializer() {
        return DriftStatsSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<DriftStats> getTypeClass() {
        return DriftStats.class;
    }

    @Override
    protected DriftStats[] getTestData() {
        Random random = new Random(0x5EED_0D12L);
        double[] histogram = new double[DriftStats.BINS];
        histogram[3] = 1.0;
        return new DriftStats[] {
            new DriftStats(1),
            DriftStats.of(
                    Long.MAX_VALUE,
                    new double[] {-0.0},
                    new double[] {Double.MIN_VALUE},
                    histogram,
                    new double[] {1e150},
                    new double[] {0.0}),
            updated(random, 3, 2, 40),
            updated(random, 200, 1, 5)
        };
    }

    private static DriftStats updated(Random random, int channels, int positions, int records) {
        DriftStats drift = new DriftStats(channels);
        RunningStats served = RunningStats.initial(channels);
        double[] record = new double[channels * positions];
        for (int r = 0; r < records; r++) {
            for (int i = 0; i < record.length; i++) {
                record[i] = random.nextGaussian() * 2;
            }
            drift.accept(record, positions, served, 1e-5, 0.1);
        }
        return drift;
    }
}
