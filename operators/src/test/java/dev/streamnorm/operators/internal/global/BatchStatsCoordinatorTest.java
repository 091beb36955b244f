package dev.streamnorm.operators.internal.global;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Momentum;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.Origin;
import dev.streamnorm.operators.Scope;
import dev.streamnorm.operators.internal.global.GlobalMessages.Adopted;
import dev.streamnorm.operators.internal.global.GlobalMessages.Handoff;
import dev.streamnorm.operators.internal.global.GlobalMessages.HandoffReply;
import dev.streamnorm.operators.internal.global.GlobalMessages.Outcomes;
import dev.streamnorm.operators.internal.global.GlobalMessages.Registered;
import dev.streamnorm.operators.internal.global.GlobalMessages.Report;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.java.tuple.Tuple2;
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

/**
 * The coordinator alone: when batches close, the exact merge, what survives a restore (also at
 * another parallelism), and the hand-off of held records at the end of a subtask's input.
 */
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

    private MockOperatorCoordinatorContext context;
    private BatchStatsCoordinator coordinator;
    private List<List<OperatorEvent>> received;

    @BeforeEach
    void start() {
        coordinator = create(2);
    }

    private BatchStatsCoordinator create(int parallelism) {
        context = new MockOperatorCoordinatorContext(new OperatorID(), parallelism);
        BatchStatsCoordinator created = new BatchStatsCoordinator(context, CONFIG, SHAPE);
        received = new ArrayList<>();
        for (int i = 0; i < parallelism; i++) {
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

    private static FeatureRecord record(long time, double a, double b) {
        return new FeatureRecord("k", time, new double[] {a, b}, new byte[0], Origin.none());
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

    /** Sends {@code records} (batch start, record) as the hand-off of {@code subtask}. */
    private void handOff(int subtask, List<Tuple2<Long, FeatureRecord>> records) {
        List<byte[]> chunks =
                GlobalMessages.chunks(GlobalMessages.WINDOWED_RECORD_SERIALIZER, records, 1 << 20);
        for (int i = 0; i < chunks.size(); i++) {
            coordinator.handleEventFromOperator(
                    subtask, 0, new Handoff(chunks.get(i), i == chunks.size() - 1));
        }
    }

    private <T extends OperatorEvent> List<T> events(int subtask, Class<T> type) {
        List<T> events = new ArrayList<>();
        for (OperatorEvent event : received.get(subtask)) {
            if (type.isInstance(event)) {
                events.add(type.cast(event));
            }
        }
        return events;
    }

    private List<Tuple2<Long, RunningStats>> outcomes(int subtask) {
        List<Tuple2<Long, RunningStats>> all = new ArrayList<>();
        for (Outcomes event : events(subtask, Outcomes.class)) {
            all.addAll(event.outcomes());
        }
        return all;
    }

    private long closedUpTo(int subtask) {
        List<Outcomes> events = events(subtask, Outcomes.class);
        return events.get(events.size() - 1).closedUpTo;
    }

    @Test
    void closesWhenTheSlowestSubtaskPassesAndMergesInOriginOrder() {
        register(0, Long.MIN_VALUE);
        register(1, Long.MIN_VALUE);
        ChannelMoments a = moments(1, 10, 2, 20, 4, 40);
        ChannelMoments b = moments(3, 30, 8, 80);
        // Subtask 1 reports first: the merge still goes origin 0, then 1.
        report(1, 99, 0, b);
        assertThat(outcomes(0)).isEmpty();
        report(0, 99, 0, a);

        ChannelMoments merged = moments(1, 10, 2, 20, 4, 40);
        merged.combine(moments(3, 30, 8, 80));
        RunningStats running = RunningStats.initial(2);
        CONFIG.updatePolicy().update(running, merged);
        for (int subtask = 0; subtask < 2; subtask++) {
            assertThat(outcomes(subtask)).singleElement();
            Tuple2<Long, RunningStats> outcome = outcomes(subtask).get(0);
            assertThat(outcome.f0).isZero();
            assertThat(outcome.f1.meanArray()).containsExactly(merged.mean(0), merged.mean(1));
            assertThat(outcome.f1.varianceArray())
                    .containsExactly(merged.biasedVariance(0), merged.biasedVariance(1));
            List<Outcomes> events = events(subtask, Outcomes.class);
            assertThat(events.get(events.size() - 1).running()).isEqualTo(running);
        }
    }

    @Test
    void registrationAnswersWithTheGenerationAndTheRunningStats() {
        register(0, Long.MIN_VALUE);
        List<Registered> registered = events(0, Registered.class);
        assertThat(registered).singleElement();
        assertThat(registered.get(0).generation).isZero();
        assertThat(registered.get(0).running()).isEqualTo(RunningStats.initial(2));
        assertThat(received.get(0).get(0)).isInstanceOf(Registered.class);
    }

    @Test
    void idleSubtasksDoNotHoldBatchesBackAndLatePartialsGetTheOutcome() {
        register(0, Long.MIN_VALUE);
        register(1, Long.MIN_VALUE);
        coordinator.handleEventFromOperator(
                1, 0, new Report(Long.MIN_VALUE, true, false, List.of(), new long[0]));
        report(0, 99, 0, moments(1, 1, 2, 2));
        assertThat(outcomes(0)).singleElement();
        Tuple2<Long, RunningStats> closed = outcomes(0).get(0);

        // Subtask 1 wakes up with records of the closed batch: it is answered with its outcome.
        received.get(1).clear();
        report(1, 99, 0, moments(5, 5, 6, 6));
        assertThat(events(1, Outcomes.class)).singleElement();
        assertThat(events(1, Outcomes.class).get(0).outcomes()).containsExactly(closed);
        assertThat(events(1, Outcomes.class).get(0).late).isEmpty();
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
        List<Tuple2<Long, RunningStats>> clean = outcomes(0);
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
        assertThat(events(0, Registered.class).get(0).generation).isZero();
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
        assertThat(context.isJobFailed()).isFalse();
    }

    @Test
    void aRestoreAtAnotherParallelismStartsANewGenerationOfOrigins() throws Exception {
        // At parallelism 2, subtask 0 has passed batch 0 and sent its partial (origin 0); subtask
        // 1 is still in it. A savepoint, then a restore at parallelism 1.
        register(0, Long.MIN_VALUE);
        register(1, Long.MIN_VALUE);
        report(0, 99, 0, moments(1, 1, 2, 2));
        report(1, 50, 0, null);
        CompletableFuture<byte[]> savepoint = new CompletableFuture<>();
        coordinator.checkpointCoordinator(1, savepoint);

        coordinator = create(1);
        coordinator.resetToCheckpoint(1, savepoint.get());
        // The one subtask repeats the partial of origin 0 and holds subtask 1's open moments: it
        // sends them under its new origin, which must not be taken for a repeat of origin 0.
        coordinator.handleEventFromOperator(
                0,
                0,
                new Report(
                        50,
                        false,
                        true,
                        List.of(Tuple3.of(0L, 0, moments(1, 1, 2, 2))),
                        new long[0]));
        int generation = events(0, Registered.class).get(0).generation;
        assertThat(generation).isEqualTo(1);
        int origin = GlobalMessages.origin(generation, 0);
        assertThat(origin).isNotEqualTo(0).isNotEqualTo(1);
        coordinator.handleEventFromOperator(
                0,
                0,
                new Report(
                        99,
                        false,
                        false,
                        List.of(Tuple3.of(0L, origin, moments(3, 3, 5, 5))),
                        new long[0]));

        ChannelMoments all = moments(1, 1, 2, 2, 3, 3, 5, 5);
        assertThat(outcomes(0)).singleElement();
        RunningStats stats = outcomes(0).get(0).f1;
        assertThat(stats.mean(0)).isCloseTo(all.mean(0), offset(1e-15));
        assertThat(stats.variance(1)).isCloseTo(all.biasedVariance(1), offset(1e-14));
    }

    @Test
    void allSubtasksAtTheEndCloseEverythingAndSaySo() {
        register(0, Long.MIN_VALUE);
        register(1, Long.MIN_VALUE);
        report(0, Long.MAX_VALUE, 0, moments(1, 1, 2, 2));
        report(1, Long.MAX_VALUE, 500, moments(3, 3));
        for (int subtask = 0; subtask < 2; subtask++) {
            assertThat(closedUpTo(subtask)).isEqualTo(Long.MAX_VALUE);
            assertThat(outcomes(subtask)).extracting(o -> o.f0).containsExactly(0L, 500L);
        }
        // Batch 500 has one value per channel: normalized with the running stats, no update.
        RunningStats afterFirst = RunningStats.initial(2);
        CONFIG.updatePolicy().update(afterFirst, moments(1, 1, 2, 2));
        Tuple2<Long, RunningStats> single = outcomes(0).get(1);
        assertThat(single.f1).isEqualTo(afterFirst);
        List<Outcomes> events = events(0, Outcomes.class);
        assertThat(events.get(events.size() - 1).running()).isEqualTo(afterFirst);
    }

    @Test
    void aSubtaskThatEndsFirstHandsOffItsOpenBatchesAndTheLastOneKeepsItsOwn() {
        register(0, Long.MIN_VALUE);
        register(1, Long.MIN_VALUE);
        // Subtask 1 reaches the end of its input holding records of batch 100 (open: subtask 0 is
        // at 150) and of batch 0 (closed: its outcome has gone to subtask 1 already).
        report(0, 150, 0, moments(1, 1, 2, 2));
        report(1, Long.MAX_VALUE, 0, moments(4, 4));
        report(1, Long.MAX_VALUE, 100, moments(5, 6, 7, 9));
        assertThat(outcomes(1)).extracting(o -> o.f0).containsExactly(0L);
        FeatureRecord a = record(120, 5, 6);
        FeatureRecord b = record(130, 7, 9);
        handOff(
                1,
                List.of(Tuple2.of(0L, record(40, 4, 4)), Tuple2.of(100L, a), Tuple2.of(100L, b)));

        List<HandoffReply> replies = events(1, HandoffReply.class);
        assertThat(replies).singleElement();
        assertThat(replies.get(0).accepted).isTrue();
        assertThat(replies.get(0).taken).containsExactly(100L);

        // Subtask 0 passes batch 100: it adopts the records, with the batch's stats, before the
        // outcomes; subtask 1 (finished) is sent nothing more.
        int before = received.get(1).size();
        report(0, 199, 100, moments(3, 3));
        assertThat(received.get(1)).hasSize(before);
        List<OperatorEvent> toZero = received.get(0);
        int adoptedAt = -1;
        int outcomesAt = -1;
        for (int i = 0; i < toZero.size(); i++) {
            if (toZero.get(i) instanceof Adopted) {
                adoptedAt = i;
            } else if (toZero.get(i) instanceof Outcomes
                    && !((Outcomes) toZero.get(i)).outcomes().isEmpty()
                    && ((Outcomes) toZero.get(i)).outcomes().get(0).f0 == 100L) {
                outcomesAt = i;
            }
        }
        assertThat(adoptedAt).isNotNegative().isLessThan(outcomesAt);
        Adopted adopted = (Adopted) toZero.get(adoptedAt);
        assertThat(adopted.batch).isEqualTo(100L);
        assertThat(adopted.late).isFalse();
        assertThat(adopted.records()).containsExactly(a, b);
        Outcomes batch100 = (Outcomes) toZero.get(outcomesAt);
        assertThat(adopted.stats()).isEqualTo(batch100.outcomes().get(0).f1);

        // Subtask 0 ends too: it is the last one running and keeps what it holds.
        report(0, Long.MAX_VALUE, 200, moments(8, 8, 9, 9));
        handOff(0, List.of(Tuple2.of(200L, record(210, 8, 8))));
        List<HandoffReply> last = events(0, HandoffReply.class);
        assertThat(last).singleElement();
        assertThat(last.get(0).accepted).isFalse();
        assertThat(closedUpTo(0)).isEqualTo(Long.MAX_VALUE);
    }

    /** Subtask 1 ends after checkpoint 3 and hands off two records of batch 0 (still open). */
    private void handOffAfterCheckpointThree() {
        register(0, Long.MIN_VALUE);
        register(1, Long.MIN_VALUE);
        coordinator.checkpointCoordinator(3, new CompletableFuture<>());
        coordinator.notifyCheckpointComplete(3);
        report(1, Long.MAX_VALUE, 0, moments(1, 1, 2, 2));
        handOff(1, List.of(Tuple2.of(0L, record(10, 1, 1)), Tuple2.of(0L, record(20, 2, 2))));
        assertThat(events(1, HandoffReply.class).get(0).accepted).isTrue();
    }

    @Test
    void aSubtaskRestoredAloneAfterAHandoffRestartsTheWholeJob() {
        handOffAfterCheckpointThree();
        // Subtask 0's region alone restarts from checkpoint 3, taken before the hand-off.
        coordinator.subtaskReset(0, 3);
        coordinator.executionAttemptReady(0, 1, new Gateway(0));
        assertThat(context.isJobFailed()).isTrue();
    }

    @Test
    void everySubtaskRestoredReturnsTheCoordinatorToThatCheckpoint() {
        handOffAfterCheckpointThree();
        // One region holds both subtasks: both restart from checkpoint 3.
        coordinator.subtaskReset(0, 3);
        coordinator.subtaskReset(1, 3);
        coordinator.executionAttemptReady(0, 1, new Gateway(0));
        coordinator.executionAttemptReady(1, 1, new Gateway(1));
        assertThat(context.isJobFailed()).isFalse();

        // As at checkpoint 3: nothing released, nothing handed off, batch 0 open.
        received.get(0).clear();
        received.get(1).clear();
        register(0, Long.MIN_VALUE);
        register(1, Long.MIN_VALUE);
        report(0, 99, 0, moments(5, 5));
        assertThat(outcomes(0)).isEmpty();
        report(1, Long.MAX_VALUE, 0, moments(1, 1, 2, 2));
        assertThat(outcomes(1)).extracting(o -> o.f0).containsExactly(0L);
        assertThat(events(0, Adopted.class)).isEmpty();
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
            received.get(subtask).add(event);
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
