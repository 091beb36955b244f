package dev.streamnorm.state.typeutils;

import dev.streamnorm.state.scaler.MaxAbsScalerStats;
import dev.streamnorm.state.scaler.MinMaxScalerStats;
import dev.streamnorm.state.scaler.RobustWindowStats;
import dev.streamnorm.state.scaler.ScalerKind;
import dev.streamnorm.state.scaler.ScalerStats;
import dev.streamnorm.state.scaler.StandardScalerStats;
import java.util.Random;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's serializer contract for {@link ScalerStatsSerializer}, every class of stats. */
class ScalerStatsSerializerTest extends SerializerTestBase<ScalerStats> {

    @Override
    protected TypeSerializer<ScalerStats> createSerializer() {
        return ScalerStatsSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<ScalerStats> getTypeClass() {
        return ScalerStats.class;
    }

    @Override
    protected ScalerStats[] getTestData() {
        Random random = new Random(0x5CA1E);
        return new ScalerStats[] {
            StandardScalerStats.of(
                    Long.MAX_VALUE, new double[] {-0.0, 1e150}, new double[] {0.0, 1e300}),
            filled(ScalerKind.STANDARD, random, 5, 40),
            MinMaxScalerStats.of(3, new double[] {-1, -0.0}, new double[] {2, 0.0}),
            filled(ScalerKind.MINMAX, random, 3, 10),
            MaxAbsScalerStats.of(0, new double[] {0, 0, 0}),
            filled(ScalerKind.MAXABS, random, 1, 7),
            ScalerStats.empty(ScalerKind.ROBUST, 2, 300),
            filled(ScalerKind.ROBUST, random, 2, 50),
            filled(ScalerKind.ROBUST, random, 3, 5000),
            RobustWindowStats.of(2, 3, 0, new double[0]),
            window(random, 2, 5, 3),
            window(random, 2, 5, 12),
            ScalerStats.exactRobust(3),
            exact(random, 2, 1000)
        };
    }

    private static ScalerStats exact(Random random, int features, int n) {
        ScalerStats stats = ScalerStats.exactRobust(features);
        double[] x = new double[features];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < features; i++) {
                x[i] = random.nextInt(50) - 25.5;
            }
            stats.accept(x);
        }
        return stats;
    }

    private static ScalerStats filled(ScalerKind kind, Random random, int features, int n) {
        ScalerStats stats = ScalerStats.empty(kind, features, 300);
        double[] x = new double[features];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < features; i++) {
                x[i] = i + random.nextGaussian();
            }
            stats.accept(x);
        }
        return stats;
    }

    private static ScalerStats window(Random random, int features, int window, int n) {
        RobustWindowStats stats = new RobustWindowStats(features, window);
        double[] x = new double[features];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < features; i++) {
                x[i] = random.nextGaussian();
            }
            stats.accept(x);
        }
        return stats;
    }
}
