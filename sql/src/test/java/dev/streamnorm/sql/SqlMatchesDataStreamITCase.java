package dev.streamnorm.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.Convention;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Momentum;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.NormalizationBuilder;
import dev.streamnorm.operators.StatsFile;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQL functions against the DataStream operator on the same rows: every row's output is the
 * same, bit for bit, or the same error code; rows in = rows out.
 */
class SqlMatchesDataStreamITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final List<Pipelines.Input> DATA = Pipelines.data(3000, 7, 3, 42);

    private static final String BATCH =
            "BATCH_NORM(input => TABLE features PARTITION BY k, features => DESCRIPTOR(vals), ";

    @TempDir Path dir;

    @Test
    void trainPyTorch() throws Exception {
        compare(
                batch(Mode.TRAIN).setBatchSize(16).setMomentum(Momentum.of(0.1)),
                BATCH + "mode => 'train', batch_size => 16, momentum => '0.1')");
    }

    @Test
    void trainCumulativeWithEps() throws Exception {
        compare(
                batch(Mode.TRAIN).setBatchSize(5).setMomentum(Momentum.cumulative()).setEps(1e-3),
                BATCH + "batch_size => 5, momentum => 'cumulative', eps => 1e-3)");
    }

    @Test
    void trainEventTimeBatches() throws Exception {
        compare(
                batch(Mode.TRAIN).setBatchInterval(Duration.ofSeconds(1)),
                BATCH + "batch_interval => '1 s', on_time => DESCRIPTOR(ts))");
    }

    @Test
    void trainKeras() throws Exception {
        compare(
                batch(Mode.TRAIN).setBatchSize(32).setConvention(Convention.KERAS),
                BATCH + "batch_size => 32, convention => 'keras')");
    }

    @Test
    void online() throws Exception {
        compare(
                batch(Mode.ONLINE).setMomentum(Momentum.of(0.05)),
                BATCH + "mode => 'online', momentum => '0.05')");
    }

    @Test
    void evalWithStatsFileAndFallback() throws Exception {
        StatsTable table =
                StatsTable.of(
                        Map.of(
                                "k1",
                                        RunningStats.of(
                                                new double[] {-2, 1, 4}, new double[] {1, 4, 9}, 3),
                                "k2",
                                        RunningStats.of(
                                                new double[] {-1, 0, 1},
                                                new double[] {2, 2, 2},
                                                1)));
        Path stats = dir.resolve("stats.json");
        StatsFile.of(table, null).write(stats, table.keys());
        compare(
                batch(Mode.EVAL).setInitialStats(table),
                BATCH + "mode => 'eval', stats => '" + stats + "')");
    }

    @Test
    void layerNorm() throws Exception {
        compare(
                Normalization.builder().setNorm(Norm.LAYER),
                "LAYER_NORM(input => TABLE features, features => DESCRIPTOR(vals))");
    }

    @Test
    void l2Norm() throws Exception {
        compare(
                Normalization.builder().setNorm(Norm.L2).setEps(1e-8),
                "L2_NORM(input => TABLE features, features => DESCRIPTOR(vals), eps => 1e-8)");
    }

    @Test
    void groupAndInstanceNorm() throws Exception {
        List<Pipelines.Input> data = Pipelines.data(500, 3, 6, 7);
        assertSame(
                Pipelines.dataStream(
                        Normalization.builder()
                                .setNorm(Norm.GROUP)
                                .setShape(RecordShape.of(3, 2))
                                .setGroups(3)
                                .build(),
                        data),
                Pipelines.sql(
                        "GROUP_NORM(input => TABLE features, features => DESCRIPTOR(vals),"
                                + " shape => '3x2', `groups` => 3)",
                        data),
                data.size());
        assertSame(
                Pipelines.dataStream(
                        Normalization.builder()
                                .setNorm(Norm.INSTANCE)
                                .setShape(RecordShape.of(2, 3))
                                .build(),
                        data),
                Pipelines.sql(
                        "INSTANCE_NORM(input => TABLE features, features => DESCRIPTOR(vals),"
                                + " shape => '2x3')",
                        data),
                data.size());
    }

    private static NormalizationBuilder batch(Mode mode) {
        return Normalization.builder()
                .setNorm(Norm.BATCH)
                .setMode(mode)
                .setBatchTimeout(Duration.ZERO);
    }

    private static void compare(NormalizationBuilder dataStream, String sql) throws Exception {
        assertSame(
                Pipelines.dataStream(dataStream.build(), DATA),
                Pipelines.sql(sql, DATA),
                DATA.size());
    }

    private static void assertSame(Map<Long, Object> expected, Map<Long, Object> actual, int rows) {
        assertThat(expected).hasSize(rows);
        assertThat(actual).hasSize(rows);
        long errors = 0;
        for (Map.Entry<Long, Object> e : expected.entrySet()) {
            Object got = actual.get(e.getKey());
            if (e.getValue() instanceof String) {
                errors++;
                assertThat(got).as("row %s", e.getKey()).isEqualTo(e.getValue());
            } else {
                assertThat(got).as("row %s", e.getKey()).isInstanceOf(double[].class);
                assertThat((double[]) got)
                        .as("row %s", e.getKey())
                        .containsExactly((double[]) e.getValue());
            }
        }
        assertThat(errors).as("rows with an error").isPositive();
    }
}
