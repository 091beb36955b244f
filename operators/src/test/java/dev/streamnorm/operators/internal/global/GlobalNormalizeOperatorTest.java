package dev.streamnorm.operators.internal.global;

import static dev.streamnorm.operators.internal.global.PartialMomentsOperatorTest.SHAPE;
import static dev.streamnorm.operators.internal.global.PartialMomentsOperatorTest.config;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.StatsTable;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RunningStats;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Stage 3 of global scope: records wait for their own batch's merged stats and watermark. */
class GlobalNormalizeOperatorTest {
    private static final RunningStats BATCH_0 =
            RunningStats.of(new double[] {1.0, 10.0}, new double[] {0.5, 4.0}, 0);
    private static final RunningStats RUNNING_0 =
            RunningStats.of(new double[] {0.1, 1.0}, new double[] {0.95, 1.3}, 1);
    private static final RunningStats BATCH_100 =
            RunningStats.of(new double[] {-2.0, 3.0}, new double[] {2.0, 0.25}, 0);
    private static final RunningStats RUNNING_100 =
            RunningStats.of(new double[] {-0.11, 1.2}, new double[] {1.05, 1.2}, 2);

    private static TwoInputStreamOperatorTestHarness<
                    Tuple2<Long, FeatureRecord>,
                    Tuple3<Long, RunningStats, RunningStats>,
                    FeatureRecord>
            harness(int subtask, @Nullable OperatorSubtaskState restore) throws Exception {
        TwoInputStreamOperatorTestHarness<
                        Tuple2<Long, FeatureRecord>,
                        Tuple3<Long, RunningStats, RunningStats>,
                        FeatureRecord>
                harness =
                        new TwoInputStreamOperatorTestHarness<>(
                                new GlobalNormalizeOperator(config(), SHAPE), 2, 2, subtask);
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
        return harness;
    }

    private static void record(
            TwoInputStreamOperatorTestHarness<
                            Tuple2<Long, FeatureRecord>,
                            Tuple3<Long, RunningStats, RunningStats>,
                            FeatureRecord>
                    harness,
            long batch,
            long time,
            double... values)
            throws Exception {
        harness.processElement1(Tuple2.of(batch, FeatureRecord.of("k", time, values)), time);
    }

    private static void stats(
            TwoInputStreamOperatorTestHarness<
                            Tuple2<Long, FeatureRecord>,
                            Tuple3<Long, RunningStats, RunningStats>,
                            FeatureRecord>
                    harness,
            long batch,
            RunningStats normalizeWith,
            RunningStats running)
            throws Exception {
        harness.processElement2(Tuple3.of(batch, normalizeWith, running), batch + 99);
    }

    private static double[] normalized(RunningStats stats, double... values) {
        double[] out = new double[values.length];
        new ChannelNormalizer(SHAPE, config().eps(), Affine.identity())
                .useRunningStats(stats)
                .apply(values, out);
        return out;
    }

    private static List<double[]> drain(
            TwoInputStreamOperatorTestHarness<
                            Tuple2<Long, FeatureRecord>,
                            Tuple3<Long, RunningStats, RunningStats>,
                            FeatureRecord>
                    harness) {
        List<double[]> values = new ArrayList<>();
        for (FeatureRecord record : harness.extractOutputValues()) {
            values.add(record.values());
        }
        harness.getOutput().clear();
        return values;
    }

    @Test
    void recordsWaitForTheirBatchsStatsAndWatermarkOnly() throws Exception {
        OperatorSubtaskState snapshot;
        try (TwoInputStreamOperatorTestHarness<
                        Tuple2<Long, FeatureRecord>,
                        Tuple3<Long, RunningStats, RunningStats>,
                        FeatureRecord>
                harness = harness(0, null)) {
            record(harness, 0, 10, 1.0, 2.0);
            record(harness, 100, 110, 5.0, 6.0);
            record(harness, 0, 90, 3.0, 4.0);
            // Its own watermark is past batch 0, but the merged stats have not come.
            harness.processWatermark1(new Watermark(150));
            assertThat(drain(harness)).isEmpty();
            // The stats have come, but the merger's watermark has not passed the batch yet.
            stats(harness, 0, BATCH_0, RUNNING_0);
            assertThat(drain(harness)).isEmpty();
            harness.processWatermark2(new Watermark(99));
            assertThat(drain(harness))
                    .containsExactly(normalized(BATCH_0, 1.0, 2.0), normalized(BATCH_0, 3.0, 4.0));
            snapshot = harness.snapshot(1, 1);
        }
        try (TwoInputStreamOperatorTestHarness<
                        Tuple2<Long, FeatureRecord>,
                        Tuple3<Long, RunningStats, RunningStats>,
                        FeatureRecord>
                restored = harness(0, snapshot)) {
            // The record of batch 100 waited through the checkpoint.
            stats(restored, 100, BATCH_100, RUNNING_100);
            restored.processWatermark1(new Watermark(199));
            restored.processWatermark2(new Watermark(199));
            assertThat(drain(restored)).containsExactly(normalized(BATCH_100, 5.0, 6.0));
            restored.processBothWatermarks(Watermark.MAX_WATERMARK);
            assertThat(restored.getSideOutput(Normalization.FINAL_STATS))
                    .extracting(StreamRecord::getValue)
                    .containsExactly(Tuple2.of(StatsTable.ANY_KEY, RUNNING_100));
        }
    }

    @Test
    void lateRecordsUseTheLatestRunningStatsAtOnce() throws Exception {
        try (TwoInputStreamOperatorTestHarness<
                        Tuple2<Long, FeatureRecord>,
                        Tuple3<Long, RunningStats, RunningStats>,
                        FeatureRecord>
                harness = harness(1, null)) {
            record(harness, GlobalMessages.LATE, 5, 1.0, 1.0);
            assertThat(drain(harness))
                    .containsExactly(normalized(RunningStats.initial(2), 1.0, 1.0));
            stats(harness, 0, BATCH_0, RUNNING_0);
            record(harness, GlobalMessages.LATE, 7, 2.0, 3.0);
            assertThat(drain(harness)).containsExactly(normalized(RUNNING_0, 2.0, 3.0));
            harness.processBothWatermarks(Watermark.MAX_WATERMARK);
            assertThat(harness.getSideOutput(Normalization.FINAL_STATS))
                    .as("final stats come from subtask 0 only")
                    .isNull();
        }
    }

    @Test
    void aRecordOfABatchThatClosedWhileItsInputWasIdleIsLate() throws Exception {
        try (TwoInputStreamOperatorTestHarness<
                        Tuple2<Long, FeatureRecord>,
                        Tuple3<Long, RunningStats, RunningStats>,
                        FeatureRecord>
                harness = harness(1, null)) {
            // This subtask's input is idle; the other subtasks close batches 0 and 100.
            harness.processWatermarkStatus1(WatermarkStatus.IDLE);
            stats(harness, 0, BATCH_0, RUNNING_0);
            stats(harness, 100, BATCH_100, RUNNING_100);
            harness.processWatermark2(new Watermark(199));
            // It wakes up with a record of batch 0, which its own (stale) watermark let through.
            harness.processWatermarkStatus1(WatermarkStatus.ACTIVE);
            record(harness, 0, 50, 4.0, 4.0);
            harness.processWatermark1(new Watermark(299));
            harness.processWatermark2(new Watermark(299));
            assertThat(drain(harness)).containsExactly(normalized(RUNNING_100, 4.0, 4.0));
        }
    }

    @Test
    void aBatchWhoseStatsNeverComeIsNormalizedAsLateInsteadOfFailingTheJob() throws Exception {
        OperatorSubtaskState snapshot;
        try (TwoInputStreamOperatorTestHarness<
                        Tuple2<Long, FeatureRecord>,
                        Tuple3<Long, RunningStats, RunningStats>,
                        FeatureRecord>
                harness = harness(1, null)) {
            record(harness, 0, 20, 2.0, 2.0);
            stats(harness, 100, BATCH_100, RUNNING_100);
            snapshot = harness.snapshot(1, 1);
        }
        try (TwoInputStreamOperatorTestHarness<
                        Tuple2<Long, FeatureRecord>,
                        Tuple3<Long, RunningStats, RunningStats>,
                        FeatureRecord>
                restored = harness(1, snapshot)) {
            // The merger closed batch 0 without this subtask's partial and sends nothing more.
            restored.processBothWatermarks(new Watermark(199));
            assertThat(drain(restored)).containsExactly(normalized(RUNNING_100, 2.0, 2.0));
        }
    }
}
