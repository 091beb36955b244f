package dev.streamnorm.operators.internal.global;

import static dev.streamnorm.operators.internal.global.PartialMomentsOperatorTest.SHAPE;
import static dev.streamnorm.operators.internal.global.PartialMomentsOperatorTest.config;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.UpdatePolicy;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Stage 2 of global scope: the exact merge of partials and the one running-stats update. */
class BatchStatsOperatorTest {
    private static final double[][] SUBTASK_0 = {{1.0, 10.0}, {2.5, 12.0}, {0.5, 9.0}};
    private static final double[][] SUBTASK_1 = {{4.0, 11.0}, {-1.0, 8.5}};

    private static OneInputStreamOperatorTestHarness<
                    Tuple3<Long, Integer, ChannelMoments>, Tuple3<Long, RunningStats, RunningStats>>
            harness(@Nullable OperatorSubtaskState restore) throws Exception {
        OneInputStreamOperatorTestHarness<
                        Tuple3<Long, Integer, ChannelMoments>,
                        Tuple3<Long, RunningStats, RunningStats>>
                harness =
                        new OneInputStreamOperatorTestHarness<>(
                                new BatchStatsOperator(config(), SHAPE), 1, 1, 0);
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
        return harness;
    }

    private static ChannelMoments moments(double[]... records) {
        ChannelMoments moments = new ChannelMoments(SHAPE.channels());
        for (double[] record : records) {
            moments.acceptRecord(record, SHAPE);
        }
        return moments;
    }

    private static Tuple3<Long, Integer, ChannelMoments> partial(
            long batch, int subtask, double[]... records) {
        return Tuple3.of(batch, subtask, moments(records));
    }

    /** What the merger must send for batch 0 of SUBTASK_0 and SUBTASK_1 (merged in that order). */
    private static Tuple3<Long, RunningStats, RunningStats> expectedFirstBatch() {
        ChannelMoments merged = moments(SUBTASK_0);
        merged.combine(moments(SUBTASK_1));
        RunningStats batch =
                RunningStats.of(
                        new double[] {merged.mean(0), merged.mean(1)},
                        new double[] {merged.biasedVariance(0), merged.biasedVariance(1)},
                        0);
        RunningStats running = RunningStats.initial(2);
        UpdatePolicy.pytorch(0.1).update(running, merged);
        return Tuple3.of(0L, batch, running);
    }

    @Test
    void mergesPartialsInSubtaskOrderWhateverTheirArrivalOrder() throws Exception {
        List<Tuple3<Long, RunningStats, RunningStats>> inOrder;
        List<Tuple3<Long, RunningStats, RunningStats>> reversed;
        try (OneInputStreamOperatorTestHarness<
                        Tuple3<Long, Integer, ChannelMoments>,
                        Tuple3<Long, RunningStats, RunningStats>>
                harness = harness(null)) {
            harness.processElement(partial(0, 0, SUBTASK_0), 99);
            harness.processElement(partial(0, 1, SUBTASK_1), 99);
            harness.processWatermark(98);
            assertThat(harness.extractOutputValues()).isEmpty();
            harness.processWatermark(99);
            inOrder = harness.extractOutputValues();
        }
        try (OneInputStreamOperatorTestHarness<
                        Tuple3<Long, Integer, ChannelMoments>,
                        Tuple3<Long, RunningStats, RunningStats>>
                harness = harness(null)) {
            harness.processElement(partial(0, 1, SUBTASK_1), 99);
            harness.processElement(partial(0, 0, SUBTASK_0), 99);
            harness.processWatermark(99);
            reversed = harness.extractOutputValues();
        }
        assertThat(inOrder).containsExactly(expectedFirstBatch());
        assertThat(reversed).isEqualTo(inOrder);
        assertThat(inOrder.get(0).f2.numBatchesTracked()).isEqualTo(1);
    }

    @Test
    void aBatchOfOneValueIsNormalizedWithTheRunningStatsAndNotFoldedIn() throws Exception {
        try (OneInputStreamOperatorTestHarness<
                        Tuple3<Long, Integer, ChannelMoments>,
                        Tuple3<Long, RunningStats, RunningStats>>
                harness = harness(null)) {
            harness.processElement(partial(0, 1, new double[] {3.0, 4.0}), 99);
            harness.processWatermark(150);
            assertThat(harness.extractOutputValues())
                    .containsExactly(
                            Tuple3.of(0L, RunningStats.initial(2), RunningStats.initial(2)));
        }
    }

    @Test
    void pendingPartialsAndRunningStatsSurviveSnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (OneInputStreamOperatorTestHarness<
                        Tuple3<Long, Integer, ChannelMoments>,
                        Tuple3<Long, RunningStats, RunningStats>>
                harness = harness(null)) {
            harness.processElement(partial(-100, 0, SUBTASK_1), -1);
            harness.processWatermark(-1);
            assertThat(harness.extractOutputValues()).hasSize(1);
            harness.processElement(partial(0, 0, SUBTASK_0), 99);
            snapshot = harness.snapshot(1, 1);
        }
        try (OneInputStreamOperatorTestHarness<
                        Tuple3<Long, Integer, ChannelMoments>,
                        Tuple3<Long, RunningStats, RunningStats>>
                restored = harness(snapshot)) {
            restored.processElement(partial(0, 1, SUBTASK_1), 99);
            restored.processWatermark(99);
            RunningStats running = RunningStats.initial(2);
            UpdatePolicy.pytorch(0.1).update(running, moments(SUBTASK_1));
            ChannelMoments merged = moments(SUBTASK_0);
            merged.combine(moments(SUBTASK_1));
            UpdatePolicy.pytorch(0.1).update(running, merged);
            assertThat(restored.extractOutputValues())
                    .singleElement()
                    .satisfies(out -> assertThat(out.f2).isEqualTo(running));
        }
    }

    @Test
    void aPartialOfABatchThatHasClosedDoesNotCloseItAgainEvenAfterARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (OneInputStreamOperatorTestHarness<
                        Tuple3<Long, Integer, ChannelMoments>,
                        Tuple3<Long, RunningStats, RunningStats>>
                harness = harness(null)) {
            harness.processElement(partial(0, 0, SUBTASK_0), 99);
            harness.processWatermark(99);
            assertThat(harness.extractOutputValues()).hasSize(1);
            // Subtask 1 was idle while the batch closed; its partial of that batch comes late.
            harness.processElement(partial(0, 1, SUBTASK_1), 99);
            harness.processWatermark(120);
            assertThat(harness.extractOutputValues()).hasSize(1);
            snapshot = harness.snapshot(1, 1);
        }
        try (OneInputStreamOperatorTestHarness<
                        Tuple3<Long, Integer, ChannelMoments>,
                        Tuple3<Long, RunningStats, RunningStats>>
                restored = harness(snapshot)) {
            // The merger's watermark starts over after a restore; the closed batch stays closed.
            restored.processElement(partial(0, 1, SUBTASK_1), 99);
            restored.processElement(partial(100, 0, SUBTASK_1), 199);
            restored.processWatermark(199);
            List<Tuple3<Long, RunningStats, RunningStats>> out = restored.extractOutputValues();
            assertThat(out).extracting(o -> o.f0).containsExactly(100L);
            RunningStats running = RunningStats.initial(2);
            UpdatePolicy.pytorch(0.1).update(running, moments(SUBTASK_0));
            UpdatePolicy.pytorch(0.1).update(running, moments(SUBTASK_1));
            assertThat(out.get(0).f2).isEqualTo(running);
        }
    }
}
