package dev.streamnorm.operators.internal.global;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Momentum;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.Scope;
import dev.streamnorm.operators.internal.global.GlobalMessages.Outcomes;
import dev.streamnorm.operators.internal.global.GlobalMessages.Report;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.executiongraph.ExecutionGraphTestUtils;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.messages.Acknowledge;
import org.apache.flink.runtime.operators.coordination.MockOperatorCoordinatorContext;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The coordinator alone: when batches close, the exact merge, and what survives a restore. */
class BatchStatsCoordinatorTest {
    private static final RecordShape SHAPE = RecordShape.vector(2);
    private static final long INTERVAL = 100;
    private static final Normalization CONFIG =
            Normalization.builder()
                    .setMode(Mode.TRAIN)
                    .setShape(SHAPE)
                    .setMomentum(Momentum.of(0.1))
                    .setBatchInterval(Duration.ofMillis(INTERVAL))
                    .setScope(Scope.GLOBAL)
                    .build();

    private BatchStatsCoordinator coordinator;
    private List<List<Outcomes>> received;

    @BeforeEach
    void start() {
        coordinator = create();
    }

    private BatchStatsCoordinator create() {
        BatchStatsCoordinator created =
                new BatchStatsCoordinator(
                        new MockOperatorCoordinatorContext(new OperatorID(), 2), CONFIG, SHAPE);
        received = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            received.add(new ArrayList<>());
            created.executionAttemptReady(i, 0, new Gateway(i));
        }
        return created;
    }

    private static ChannelMoments moments(double... values) {
        ChannelMoments moments = new ChannelMoments(SHAPE.channels());
        for (int i = 0; i + 1 < values.length; i += 2) {
            moments.acceptRecord(new double[] {values[i], values[i + 1]}, SHAPE);
        }
        return moments;
    }

    private void report(int subtask, long watermark, long batch, ChannelMoments partial) {
        coordinator.handleEventFromOperator(
                subtask,
                0,
                new Report(
                        watermark,
                        false,
                        false,
                        partial == null ? List.of() : List.of(Tuple3.of(batch, subtask, partial)),
                        new long[0]));
    }

    private void register(int subtask, long watermark) {
        coordinator.handleEventFromOperator(
                subtask, 0, new Report(watermark, false, true, List.of(), new long[0]));
    }

    private List<Tuple3<Long, RunningStats, RunningStats>> outcomes(int subtask) {
        List<Tuple3<Long, RunningStats, RunningStats>> all = new ArrayList<>();
        for (Outcomes event : received.get(subtask)) {
            all.addAll(event.outcomes());
        }
        return all;
    }

    @Test
    void closesWhenTheSlowestSubtaskPassesAndMergesInSubtaskOrder() {
        register(0, Long.MIN_VALUE);
        register(1, Long.MIN_VALUE);
        ChannelMoments a = moments(1, 10, 2, 20, 4, 40);
        ChannelMoments b = moments(3, 30, 8, 80);
        // Subtask 1 reports first: the merge still goes subtask 0, then 1.
        report(1, 99, 0, b);
        assertThat(outcomes(0)).isEmpty();
        report(0, 99, 0, a);

        ChannelMoments merged = moments(1, 10, 2, 20, 4, 40);
        merged.combine(moments(3, 30, 8, 80));
        RunningStats running = RunningStats.initial(2);
        CONFIG.updatePolicy().update(running, merged);
        for (int subtask = 0; subtask < 2; subtask++) {
            assertThat(outcomes(subtask)).singleElement();
            Tuple3<Long, RunningStats, RunningStats> outcome = outcomes(subtask).get(0);
            assertThat(outcome.f0).isZero();
            assertThat(outcome.f1.meanArray()).containsExactly(merged.mean(0), merged.mean(1));
            assertThat(outcome.f1.varianceArray())
                    .containsExactly(merged.biasedVariance(0), merged.biasedVariance(1));
            assertThat(outcome.f2).isEqualTo(running);
        }
    }

    @Test
    void idleSubtasksDoNotHoldBatchesBackAndLatePartialsGetTheOutcome() {
        register(0, Long.MIN_VALUE);
        register(1, Long.MIN_VALUE);
        coordinator.handleEventFromOperator(
                1, 0, new Report(Long.MIN_VALUE, true, false, List.of(), new long[0]));
        report(0, 99, 0, moments(1, 1, 2, 2));
        assertThat(outcomes(0)).singleElement();
        Tuple3<Long, RunningStats, RunningStats> closed = outcomes(0).get(0);

        // Subtask 1 wakes up with records of the closed batch: it is answered with its outcome.
        received.get(1).clear();
        report(1, 99, 0, moments(5, 5, 6, 6));
        assertThat(received.get(1)).singleElement();
        assertThat(received.get(1).get(0).outcomes()).containsExactly(closed);
        assertThat(received.get(1).get(0).late).isEmpty();
    }

    @Test
    void aRestoreRepeatsNothingTwiceAndAnswersRepeatedPartials() throws Exception {
        register(0, Long.MIN_VALUE);
        register(1, Long.MIN_VALUE);
        report(0, 99, 0, moments(1, 1, 2, 2));
        CompletableFuture<byte[]> checkpoint = new CompletableFuture<>();
        coordinator.checkpointCoordinator(1, checkpoint);
        report(1, 99, 0, moments(3, 3, 5, 5));
        report(0, 199, 100, moments(7, 7, 9, 9));
        report(1, 199, 100, moments(2, 4, 6, 8));
        List<Tuple3<Long, RunningStats, RunningStats>> clean = outcomes(0);
        assertThat(clean).hasSize(2);

        // Global failover: both subtasks repeat their unanswered partials (subtask 0's partial of
        // batch 0 is already in the checkpoint; it is repeated anyway), then go on.
        coordinator.resetToCheckpoint(1, checkpoint.get());
        received.get(0).clear();
        received.get(1).clear();
        coordinator.handleEventFromOperator(
                0,
                1,
                new Report(
                        99,
                        false,
                        true,
                        List.of(Tuple3.of(0L, 0, moments(1, 1, 2, 2))),
                        new long[0]));
        coordinator.handleEventFromOperator(
                1, 1, new Report(Long.MIN_VALUE, false, true, List.of(), new long[0]));
        report(1, 99, 0, moments(3, 3, 5, 5));
        report(0, 199, 100, moments(7, 7, 9, 9));
        report(1, 199, 100, moments(2, 4, 6, 8));
        assertThat(outcomes(0)).isEqualTo(clean);
        assertThat(outcomes(1)).isEqualTo(clean);

        // A subtask restored alone (its region) repeats a partial of a batch closed meanwhile.
        received.get(1).clear();
        coordinator.subtaskReset(1, 1);
        coordinator.handleEventFromOperator(
                1,
                2,
                new Report(
                        150,
                        false,
                        true,
                        List.of(Tuple3.of(100L, 1, moments(2, 4, 6, 8))),
                        new long[0]));
        assertThat(outcomes(1)).containsExactly(clean.get(1));
    }

    @Test
    void allSubtasksAtTheEndCloseEverythingAndSaySo() {
        register(0, Long.MIN_VALUE);
        register(1, Long.MIN_VALUE);
        report(0, Long.MAX_VALUE, 0, moments(1, 1, 2, 2));
        report(1, Long.MAX_VALUE, 500, moments(3, 3));
        for (int subtask = 0; subtask < 2; subtask++) {
            List<Outcomes> events = received.get(subtask);
            assertThat(events.get(events.size() - 1).closedUpTo).isEqualTo(Long.MAX_VALUE);
            assertThat(outcomes(subtask)).extracting(o -> o.f0).containsExactly(0L, 500L);
        }
        // Batch 500 has one value per channel: normalized with the running stats, no update.
        Tuple3<Long, RunningStats, RunningStats> single = outcomes(0).get(1);
        assertThat(single.f1).isEqualTo(outcomes(0).get(0).f2);
        assertThat(single.f2).isEqualTo(outcomes(0).get(0).f2);
    }

    /** Collects what the coordinator sends to one subtask. */
    private final class Gateway implements OperatorCoordinator.SubtaskGateway {
        private final int subtask;
        private final ExecutionAttemptID attempt =
                ExecutionGraphTestUtils.createExecutionAttemptId();

        Gateway(int subtask) {
            this.subtask = subtask;
        }

        @Override
        public CompletableFuture<Acknowledge> sendEvent(OperatorEvent event) {
            received.get(subtask).add((Outcomes) event);
            return CompletableFuture.completedFuture(Acknowledge.get());
        }

        @Override
        public ExecutionAttemptID getExecution() {
            return attempt;
        }

        @Override
        public int getSubtask() {
            return subtask;
        }
    }
}
