package dev.streamnorm.operators;

import static dev.streamnorm.operators.GlobalScopeData.concat;
import static dev.streamnorm.operators.GlobalScopeData.times;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.GlobalScopeData.Layout;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.ChannelNormalizer;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Global scope on a real (mini) cluster at parallelism 2, with records read on both subtasks, each
 * subtask with its own watermarks: equal to keying every record by one key at parallelism 1 (and to
 * an independent model), online mode against its documented per-batch update, eval mode without a
 * keyBy, subtasks that see none of a batch's records, late records, and a failure mid-stream.
 */
class GlobalScopeITCase {
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension static final MiniClusterExtension CLUSTER = GlobalScopeRun.cluster(REPORTER);

    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final RecordShape SHAPE = RecordShape.of(3, 2);
    private static final Affine AFFINE =
            Affine.of(new double[] {1.5, 0.5, -2.0}, new double[] {0.25, -1.0, 3.0});

    /**
     * Both subtasks read records of almost every batch, at different rates; subtask 1 finishes
     * earlier; near the end a batch of one record and one more batch.
     */
    private static final Layout MAIN =
            new Layout(
                    concat(times(10_000, 4, 700), new long[] {13_050}, times(13_400, 1, 5)),
                    times(10_001, 6, 450));

    /** Three train conventions. */
    enum Train {
        PYTORCH_MOMENTUM,
        PYTORCH_CUMULATIVE,
        KERAS;

        NormalizationBuilder builder() {
            NormalizationBuilder builder = Normalization.builder().setMode(Mode.TRAIN);
            switch (this) {
                case PYTORCH_CUMULATIVE:
                    return builder.setMomentum(Momentum.cumulative());
                case KERAS:
                    return builder.setConvention(Convention.KERAS);
                default:
                    return builder.setMomentum(Momentum.of(0.1));
            }
        }
    }

    private static Normalization train(Train train, RecordShape shape, Affine affine, Scope scope) {
        return train.builder()
                .setShape(shape)
                .setAffine(affine)
                .setBatchInterval(INTERVAL)
                .setEmitFinalStats(true)
                .setScope(scope)
                .build();
    }

    @ParameterizedTest
    @EnumSource(Train.class)
    void trainAtParallelismTwoEqualsOneKeyAtParallelismOne(Train convention) throws Exception {
        GlobalScopeRun global =
                GlobalScopeRun.of(
                        REPORTER, MAIN, SHAPE, train(convention, SHAPE, AFFINE, Scope.GLOBAL), 2);
        GlobalScopeRun keyed =
                GlobalScopeRun.of(
                        REPORTER, MAIN, SHAPE, train(convention, SHAPE, AFFINE, Scope.KEY), 1);
        GlobalReference reference =
                GlobalReference.train(
                        train(convention, SHAPE, AFFINE, Scope.GLOBAL), SHAPE, MAIN.records(SHAPE));

        // The global operators ran on both subtasks, on exactly the records each one read.
        assertThat(global.normalizedByReader()).containsExactly(MAIN.count(0), MAIN.count(1));
        assertThat(global.perSubtask("lateRecords")).containsExactly(0, 0);
        GlobalScopeGraphs.assertGlobalGraph(global.graph);
        assertThat(GlobalScopeGraphs.hasKeyBy(keyed.graph))
                .as("the baseline keys by the constant key")
                .isTrue();

        GlobalReference.assertOutputs(global.outputs, keyed.outputs, "global vs one key");
        assertThat(keyed.finalStats).containsOnlyKeys(GlobalScopeData.KEY);
        assertThat(global.finalStats).containsOnlyKeys(StatsTable.ANY_KEY);
        GlobalReference.assertClose(
                global.finalStats.get(StatsTable.ANY_KEY),
                keyed.finalStats.get(GlobalScopeData.KEY),
                "final stats, global vs one key");

        GlobalReference.assertOutputs(global.outputs, reference.outputs, "global vs model");
        GlobalReference.assertClose(
                global.finalStats.get(StatsTable.ANY_KEY),
                reference.finalStats(),
                "final stats, global vs model");
        // 30 windows, all with n >= 2 (shape 3x2): every one is a batch.
        assertThat(reference.finalStats().numBatchesTracked()).isEqualTo(30);
        assertThat(global.deadLetters).isZero();
    }

    @Test
    void onlineModeFollowsThePerBatchMixture() throws Exception {
        Normalization config =
                Normalization.builder()
                        .setMode(Mode.ONLINE)
                        .setShape(SHAPE)
                        .setMomentum(Momentum.of(0.2))
                        .setBatchInterval(INTERVAL)
                        .setEmitFinalStats(true)
                        .setScope(Scope.GLOBAL)
                        .build();
        GlobalScopeRun global = GlobalScopeRun.of(REPORTER, MAIN, SHAPE, config, 2);
        GlobalReference reference = GlobalReference.online(config, SHAPE, MAIN.records(SHAPE));

        assertThat(global.normalizedByReader()).containsExactly(MAIN.count(0), MAIN.count(1));
        GlobalReference.assertOutputs(global.outputs, reference.outputs, "online vs model");
        assertThat(global.finalStats).containsOnlyKeys(StatsTable.ANY_KEY);
        GlobalReference.assertClose(
                global.finalStats.get(StatsTable.ANY_KEY),
                reference.finalStats(),
                "online final stats");
        assertThat(reference.finalStats().numBatchesTracked()).isEqualTo(30);
        GlobalScopeGraphs.assertGlobalGraph(global.graph);
    }

    @Test
    void evalModeServesFrozenStatsOnEverySubtaskWithoutKeyBy() throws Exception {
        RunningStats frozen =
                RunningStats.of(new double[] {4.5, -2.75, 21.0}, new double[] {0.9, 0.3, 3.5}, 40);
        Normalization config =
                Normalization.builder()
                        .setMode(Mode.EVAL)
                        .setShape(SHAPE)
                        .setAffine(AFFINE)
                        .setInitialStats(StatsTable.of(Map.of(StatsTable.ANY_KEY, frozen)))
                        .setScope(Scope.GLOBAL)
                        .build();
        GlobalScopeRun global = GlobalScopeRun.of(REPORTER, MAIN, SHAPE, config, 2);

        ChannelNormalizer direct =
                new ChannelNormalizer(SHAPE, config.eps(), AFFINE).useRunningStats(frozen);
        Map<Long, double[]> expected = new HashMap<>();
        for (FeatureRecord record : MAIN.records(SHAPE)) {
            double[] y = new double[SHAPE.size()];
            direct.apply(record.values(), y);
            expected.put(GlobalScopeData.id(record), y);
        }
        assertThat(global.outputs.keySet()).isEqualTo(expected.keySet());
        for (Map.Entry<Long, double[]> e : expected.entrySet()) {
            assertThat(global.outputs.get(e.getKey()))
                    .as("record %s", e.getKey())
                    .containsExactly(e.getValue());
        }
        assertThat(global.perSubtask("recordsNormalized"))
                .containsExactly(MAIN.count(0), MAIN.count(1));
        assertThat(GlobalScopeGraphs.hasKeyBy(global.graph)).isFalse();
        StreamNode normalize = GlobalScopeGraphs.node(global.graph, "normalize");
        assertThat(normalize.getParallelism()).isEqualTo(2);
        GlobalScopeGraphs.assertForwardUpstream(global.graph, normalize, 0);
        assertThat(global.finalStats).isEmpty();
    }

    @Test
    void batchesCloseWhenOneSubtaskHasNoRecordsOfThemAndFinishesEarly() throws Exception {
        RecordShape vector = RecordShape.vector(4);
        // Subtask 1 reads records of windows 200-202 and 210-211 only, then finishes; windows
        // 203-209 and 212-223 have records of subtask 0 only. Window 220 has one record (n = 1).
        Layout layout =
                new Layout(
                        concat(times(20_000, 5, 400), new long[] {22_050}, times(22_300, 3, 10)),
                        concat(times(20_002, 9, 33), times(21_003, 9, 22)));
        Normalization global =
                train(Train.PYTORCH_MOMENTUM, vector, Affine.identity(), Scope.GLOBAL);
        GlobalScopeRun run = GlobalScopeRun.of(REPORTER, layout, vector, global, 2);
        GlobalScopeRun keyed =
                GlobalScopeRun.of(
                        REPORTER,
                        layout,
                        vector,
                        train(Train.PYTORCH_MOMENTUM, vector, Affine.identity(), Scope.KEY),
                        1);
        GlobalReference reference = GlobalReference.train(global, vector, layout.records(vector));

        assertThat(run.normalizedByReader()).containsExactly(401 + 10, 55);
        assertThat(run.perSubtask("lateRecords")).containsExactly(0, 0);
        GlobalReference.assertOutputs(run.outputs, keyed.outputs, "global vs one key");
        GlobalReference.assertOutputs(run.outputs, reference.outputs, "global vs model");
        GlobalReference.assertClose(
                run.finalStats.get(StatsTable.ANY_KEY),
                keyed.finalStats.get(GlobalScopeData.KEY),
                "final stats, global vs one key");
        GlobalReference.assertClose(
                run.finalStats.get(StatsTable.ANY_KEY), reference.finalStats(), "final stats");
        // 22 windows; the one-record window is normalized with the running stats, not counted.
        assertThat(reference.finalStats().numBatchesTracked()).isEqualTo(21);
        assertThat(run.outputs.get(400L))
                .as("the record alone in its batch uses the running stats")
                .isNotNull();
        assertThat(run.metric("singleValueBatches")).isEqualTo(1);
    }

    @Test
    void batchesCloseWhenOneSubtaskReadsNothing() throws Exception {
        Layout layout = new Layout(times(30_000, 7, 300), new long[0]);
        Normalization global = train(Train.PYTORCH_CUMULATIVE, SHAPE, AFFINE, Scope.GLOBAL);
        GlobalScopeRun run = GlobalScopeRun.of(REPORTER, layout, SHAPE, global, 2);
        GlobalReference reference = GlobalReference.train(global, SHAPE, layout.records(SHAPE));

        assertThat(run.normalizedByReader()).containsExactly(300, 0);
        GlobalReference.assertOutputs(run.outputs, reference.outputs, "global vs model");
        GlobalReference.assertClose(
                run.finalStats.get(StatsTable.ANY_KEY), reference.finalStats(), "final stats");
        assertThat(reference.finalStats().numBatchesTracked()).isEqualTo(21);
    }

    @Test
    void lateRecordsAreNormalizedWithRunningStatsAndCounted() throws Exception {
        // Subtask 0: windows 400-409, then a record of window 402 (its watermark is at 40994,
        // so it is late there), then windows 410-414. Subtask 1: windows 400-414.
        long lateTime = 40_250;
        Layout layout =
                new Layout(
                        concat(times(40_000, 5, 200), new long[] {lateTime}, times(41_000, 5, 100)),
                        times(40_003, 8, 180));
        long lateId = 200;
        assertThat(layout.timestamp(lateId)).isEqualTo(lateTime);
        Normalization global = train(Train.PYTORCH_MOMENTUM, SHAPE, AFFINE, Scope.GLOBAL);
        GlobalScopeRun run = GlobalScopeRun.of(REPORTER, layout, SHAPE, global, 2);

        List<FeatureRecord> onTime = new ArrayList<>(layout.records(SHAPE));
        FeatureRecord late = onTime.remove((int) lateId);
        GlobalReference reference = GlobalReference.train(global, SHAPE, onTime);

        assertThat(run.perSubtask("lateRecords")).containsExactly(1, 0);
        assertThat(run.normalizedByReader()).containsExactly(301, 180);
        Map<Long, double[]> onTimeOutputs = new HashMap<>(run.outputs);
        double[] lateOutput = onTimeOutputs.remove(lateId);
        GlobalReference.assertOutputs(onTimeOutputs, reference.outputs, "on-time records");
        // The late record changed nothing: final stats as if it never came.
        GlobalReference.assertClose(
                run.finalStats.get(StatsTable.ANY_KEY), reference.finalStats(), "final stats");
        // It was normalized with the running stats as they stood when it arrived: one of the
        // snapshots, and which one depends on how far the merged stats had travelled.
        assertThat(snapshotsGiving(reference, late.values(), lateOutput))
                .as("running-stats snapshots that give the late output")
                .hasSize(1);
    }

    /**
     * Fails once, mid-stream, on subtask 0, at the first record from {@code failAtOrAfter} on after
     * a checkpoint has completed; slows the source so that checkpoints complete mid-stream.
     */
    static final class FailOnce extends RichMapFunction<FeatureRecord, FeatureRecord>
            implements CheckpointListener {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicBoolean ENABLED = new AtomicBoolean();

        private final long failAtOrAfter;
        private final int sleepEvery;
        private transient int subtask;
        private transient long seen;

        FailOnce(long failAtOrAfter, int sleepEvery) {
            this.failAtOrAfter = failAtOrAfter;
            this.sleepEvery = sleepEvery;
        }

        @Override
        public void open(OpenContext openContext) {
            subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        }

        @Override
        public FeatureRecord map(FeatureRecord record) throws Exception {
            if (++seen % sleepEvery == 0) {
                Thread.sleep(1);
            }
            if (ENABLED.get() && subtask == 0 && GlobalScopeData.id(record) >= failAtOrAfter) {
                if (!CHECKPOINTED.get()) {
                    // Past the point of failure, but no checkpoint yet: slow down until one is.
                    Thread.sleep(5);
                } else if (FAILED.compareAndSet(false, true)) {
                    throw new IllegalStateException("injected failure at record " + record);
                }
            }
            return record;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTED.set(true);
        }
    }

    @Test
    void failureMidStreamGivesIdenticalResults() throws Exception {
        Layout layout = new Layout(times(50_000, 2, 1500), times(50_001, 3, 1000));
        Normalization global = train(Train.PYTORCH_MOMENTUM, SHAPE, AFFINE, Scope.GLOBAL);
        FailOnce.ENABLED.set(false);
        GlobalScopeRun clean =
                GlobalScopeRun.of(
                        REPORTER, layout, SHAPE, global, 2, recovery(), new FailOnce(700, 2));
        FailOnce.CHECKPOINTED.set(false);
        FailOnce.FAILED.set(false);
        FailOnce.ENABLED.set(true);
        GlobalScopeRun failed;
        try {
            failed =
                    GlobalScopeRun.of(
                            REPORTER, layout, SHAPE, global, 2, recovery(), new FailOnce(700, 2));
        } finally {
            FailOnce.ENABLED.set(false);
        }

        assertThat(FailOnce.FAILED).as("the failure was injected").isTrue();
        assertThat(failed.restarts).as("restarts").isEqualTo(1);
        assertThat(clean.restarts).isZero();
        // Exactly once: every record once, bit for bit what the failure-free run gave.
        assertThat(failed.collected).isEqualTo(layout.size());
        assertThat(failed.outputs.keySet()).isEqualTo(clean.outputs.keySet());
        for (Map.Entry<Long, double[]> e : clean.outputs.entrySet()) {
            assertThat(failed.outputs.get(e.getKey()))
                    .as("record %s", e.getKey())
                    .containsExactly(e.getValue());
        }
        assertThat(failed.finalStats).isEqualTo(clean.finalStats);
        GlobalReference reference = GlobalReference.train(global, SHAPE, layout.records(SHAPE));
        GlobalReference.assertOutputs(clean.outputs, reference.outputs, "global vs model");
        GlobalReference.assertClose(
                clean.finalStats.get(StatsTable.ANY_KEY), reference.finalStats(), "final stats");
    }

    @Test
    void failureMidStreamKeepsLateRecordsLate() throws Exception {
        // Subtask 0: after every on-time record, 9 records of long-closed batches (late at once
        // under per-event watermarks). The restore point is most likely just before a late record:
        // a restore must not let it reopen its batch (the partial-moments watermark is part of the
        // checkpoint; Flink does not restore watermarks).
        long[] subtask0 = new long[600 * 10];
        Set<Long> lateIds = new HashSet<>();
        int i = 0;
        for (int k = 0; k < 600; k++) {
            subtask0[i++] = 50_000 + 5L * k;
            for (int j = 0; j < 9; j++) {
                lateIds.add((long) i);
                subtask0[i++] = 1_000 + k;
            }
        }
        Layout layout = new Layout(subtask0, times(50_001, 7, 430));
        Normalization global = train(Train.PYTORCH_MOMENTUM, SHAPE, AFFINE, Scope.GLOBAL);

        FailOnce.ENABLED.set(false);
        GlobalScopeRun clean =
                GlobalScopeRun.of(
                        REPORTER, layout, SHAPE, global, 2, recovery(), new FailOnce(3000, 4));
        FailOnce.CHECKPOINTED.set(false);
        FailOnce.FAILED.set(false);
        FailOnce.ENABLED.set(true);
        GlobalScopeRun failed;
        try {
            failed =
                    GlobalScopeRun.of(
                            REPORTER, layout, SHAPE, global, 2, recovery(), new FailOnce(3000, 4));
        } finally {
            FailOnce.ENABLED.set(false);
        }

        assertThat(FailOnce.FAILED).as("the failure was injected").isTrue();
        assertThat(failed.restarts).as("restarts").isEqualTo(1);
        assertThat(clean.perSubtask("lateRecords")).containsExactly(lateIds.size(), 0);
        assertThat(failed.collected).isEqualTo(layout.size());
        assertThat(failed.outputs.keySet()).isEqualTo(clean.outputs.keySet());
        List<FeatureRecord> onTime = new ArrayList<>();
        for (FeatureRecord record : layout.records(SHAPE)) {
            long id = GlobalScopeData.id(record);
            if (!lateIds.contains(id)) {
                onTime.add(record);
                assertThat(failed.outputs.get(id))
                        .as("record %s", id)
                        .containsExactly(clean.outputs.get(id));
            }
        }
        assertThat(failed.finalStats).isEqualTo(clean.finalStats);
        GlobalReference reference = GlobalReference.train(global, SHAPE, onTime);
        GlobalReference.assertClose(
                failed.finalStats.get(StatsTable.ANY_KEY), reference.finalStats(), "final stats");
        // Late records, in both runs, are normalized with running stats the merger produced.
        for (long id : lateIds) {
            double[] x = layout.record(id, SHAPE).values();
            for (GlobalScopeRun run : List.of(clean, failed)) {
                assertThat(snapshotsGiving(reference, x, run.outputs.get(id)))
                        .as("running-stats snapshots that give late record %s", id)
                        .isNotEmpty();
            }
        }
    }

    /** The indices of the reference's running-stats snapshots that normalize x to y. */
    private static List<Integer> snapshotsGiving(
            GlobalReference reference, double[] x, double[] y) {
        List<Integer> matching = new ArrayList<>();
        for (int i = 0; i < reference.snapshots.size(); i++) {
            RunningStats s = reference.snapshots.get(i);
            if (closeTo(y, reference.normalize(x, s.meanArray(), s.varianceArray(), true))) {
                matching.add(i);
            }
        }
        return matching;
    }

    private static Configuration recovery() {
        Configuration recovery = new Configuration();
        recovery.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        recovery.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        recovery.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(50));
        return recovery;
    }

    private static boolean closeTo(double[] actual, double[] expected) {
        for (int i = 0; i < expected.length; i++) {
            double scale = Math.max(1.0, Math.max(Math.abs(actual[i]), Math.abs(expected[i])));
            if (Math.abs(actual[i] - expected[i]) > GlobalReference.TOLERANCE * scale) {
                return false;
            }
        }
        return true;
    }
}
