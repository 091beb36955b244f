package dev.streamnorm.state.typeutils;

import dev.streamnorm.state.RunningStats;
import java.util.Random;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's serializer contract for {@link RunningStatsSerializer}. */
class RunningStatsSerializerTest extends SerializerTestBase<RunningStats> {

    @Override
    protected TypeSerializer<RunningStats> createSerializer() {
        return RunningStatsSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<RunningStats> getTypeClass() {
        return RunningStats.class;
    }

    @Override
    protected RunningStats[] getTestData() {
        Random random = new Random(0x5EED_0003L);
        return new RunningStats[] {
            RunningStats.initial(1),
            RunningStats.of(new double[] {-0.0}, new double[] {0.0}, 0),
            RunningStats.of(new double[] {0.1}, new double[] {Double.MIN_VALUE}, 1),
            RunningStats.of(
                    new double[] {1e150, -1e-150, 1e9 + 0.5},
                    new double[] {Double.MAX_VALUE, 1e-300, 30.0},
                    Long.MAX_VALUE),
            RunningStats.initial(7),
            randomStats(random, 64, 12),
            randomStats(random, 1000, 123_456_789_012L)
        };
    }

    private static RunningStats randomStats(Random random, int channels, long batches) {
        double[] mean = new double[channels];
        double[] variance = new double[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = random.nextGaussian() * Math.pow(10, random.nextInt(20) - 10);
            variance[c] = random.nextDouble() * Math.pow(10, random.nextInt(20) - 10);
        }
        return RunningStats.of(mean, variance, batches);
    }
}
