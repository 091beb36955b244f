package dev.streamnorm.operators.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.DriftReport;
import dev.streamnorm.operators.DriftSettings;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.operators.StatsUpdate;
import dev.streamnorm.state.DriftStats;
import dev.streamnorm.state.RunningStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Drift while following stats updates: each record folds in against the stats that normalize it,
 * and each drift record names the version of the key's latest stats.
 */
@SuppressWarnings("try")
class DriftFollowingTest {
    private static final double EPS = 1e-3;
    private static final RunningStats INITIAL =
            RunningStats.of(new double[] {1, -1}, new double[] {4, 0.25}, 9);
    private static final RunningStats V1_A =
            RunningStats.of(new double[] {10, 20}, new double[] {1, 16}, 3);
    private static final RunningStats V2_STAR =
            RunningStats.of(new double[] {0.5, 0.25}, new double[] {2, 3}, 7);

    @Test
    void eachRecordIsWeighedAgainstTheStatsThatServeIt() throws Exception {
        Normalization config =
                Normalization.builder()
                        .setMode(Mode.EVAL)
                        .setEps(EPS)
                        .setInitialStats(StatsTable.of(Map.of(StatsTable.ANY_KEY, INITIAL)))
                        .setDrift(DriftSettings.of(Duration.ofMillis(100), 0.5, 3, 0.25))
                        .build();
        try (KeyedTwoInputStreamOperatorTestHarness<
                        String, FeatureRecord, StatsUpdate, FeatureRecord>
                harness = FollowingEvalFunctionTest.harness(config, null)) {
            harness.processElement2(
                    new StatsUpdate("v1", 150, StatsTable.of(Map.of("a", V1_A))), 150);
            harness.processElement2(
                    new StatsUpdate("v2", 250, StatsTable.of(Map.of(StatsTable.ANY_KEY, V2_STAR))),
                    250);
            harness.processElement1(FeatureRecord.of("a", 300, 5, 6), 300);
            harness.processElement1(FeatureRecord.of("a", 100, 1, 2), 100);
            harness.processElement1(FeatureRecord.of("a", 200, -7, 8), 200);
            harness.processBothWatermarks(new Watermark(250));
            harness.processBothWatermarks(Watermark.MAX_WATERMARK);

            List<DriftReport> reports =
                    Harnesses.values(harness.getSideOutput(DriftReport.SIDE_OUTPUT));
            assertThat(reports)
                    .extracting(DriftReport::timestamp)
                    .containsExactly(200L, 300L, 400L, 300L);
            assertThat(reports)
                    .extracting(DriftReport::statsVersion)
                    .containsExactly("initial", "v1", "v2", "v2");
            DriftStats expected = new DriftStats(2);
            expected.accept(new double[] {1, 2}, 1, INITIAL, EPS, 0.5);
            assertThat(reports.get(0).stats()).isEqualTo(expected);
            expected.accept(new double[] {-7, 8}, 1, V1_A, EPS, 0.5);
            expected.accept(new double[] {5, 6}, 1, V2_STAR, EPS, 0.5);
            assertThat(reports.get(3).stats()).isEqualTo(expected);
            assertThat(reports.get(3).stats().servedMean(0)).isEqualTo(0.5);
        }
    }
}
