package dev.streamnorm.operators;

import static dev.streamnorm.operators.GlobalScopeData.times;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.GlobalScopeData.Layout;
import dev.streamnorm.state.Affine;
import dev.streamnorm.state.RecordShape;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Global scope at parallelism 2 behind sources with watermark alignment, on its own cluster (a
 * stalled job would hold every slot). The drift is far below a batch; subtask 1 reads slowly, and
 * subtask 0's input ends early in a batch. Subtask 0 then holds records of a batch that closes only
 * once subtask 1 has passed its end, more than the drift beyond the last watermark subtask 0's
 * source reported: subtask 1's source waits until subtask 0's source reports the end of its input,
 * which it does only once the operator on subtask 0 has finished. The job must finish with every
 * record normalized as a single key at parallelism 1 would.
 */
class GlobalScopeAlignmentITCase {
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension static final MiniClusterExtension CLUSTER = GlobalScopeRun.cluster(REPORTER);

    private static final RecordShape SHAPE = RecordShape.of(3, 2);

    /** Subtask 1 reads at 1 ms per record: it is behind subtask 0 when subtask 0's input ends. */
    static final class SlowSecondSubtask extends RichMapFunction<FeatureRecord, FeatureRecord> {
        private static final long serialVersionUID = 1L;
        private transient boolean slow;

        @Override
        public void open(OpenContext openContext) {
            slow = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 1;
        }

        @Override
        public FeatureRecord map(FeatureRecord record) throws Exception {
            if (slow) {
                Thread.sleep(1);
            }
            return record;
        }
    }

    @Test
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void alignedSourcesFinishWithEveryRecordNormalized() throws Exception {
        // Interleaved event times, as in the scaling benchmark: subtask 0 even, subtask 1 odd.
        // Subtask 0's input ends at 62910, early in batch 62900-62999; subtask 1 goes on to 63499.
        Layout layout = new Layout(times(60_000, 2, 1456), times(60_001, 2, 1750));
        Normalization global =
                Normalization.builder()
                        .setMode(Mode.TRAIN)
                        .setShape(SHAPE)
                        .setAffine(
                                Affine.of(
                                        new double[] {1.5, 0.5, -2.0},
                                        new double[] {0.25, -1.0, 3.0}))
                        .setMomentum(Momentum.of(0.1))
                        .setBatchInterval(Duration.ofMillis(100))
                        .setEmitFinalStats(true)
                        .setScope(Scope.GLOBAL)
                        .build();
        WatermarkStrategy<Long> aligned =
                GlobalScopeData.perEventWatermarks(layout)
                        .withWatermarkAlignment(
                                "records", Duration.ofMillis(20), Duration.ofMillis(10));

        GlobalScopeRun run =
                GlobalScopeRun.of(
                        REPORTER,
                        layout,
                        SHAPE,
                        global,
                        2,
                        new Configuration(),
                        new SlowSecondSubtask(),
                        aligned);
        GlobalReference reference = GlobalReference.train(global, SHAPE, layout.records(SHAPE));

        assertThat(run.collected).isEqualTo(layout.size());
        assertThat(run.normalizedByReader()).containsExactly(1456, 1750);
        // Subtask 0 ended holding its records of batch 62900-62999 (6 of them): subtask 1, behind
        // it, could not pass that batch, and subtask 0 handed them off instead of waiting for it.
        assertThat(run.perSubtask("handedOffRecords")[0]).isGreaterThanOrEqualTo(6);
        assertThat(run.perSubtask("lateRecords")).containsExactly(0, 0);
        GlobalReference.assertOutputs(run.outputs, reference.outputs, "aligned global vs model");
        assertThat(run.finalStats).containsOnlyKeys(StatsTable.ANY_KEY);
        GlobalReference.assertClose(
                run.finalStats.get(StatsTable.ANY_KEY), reference.finalStats(), "final stats");
        // 35 batches of 100 ms.
        assertThat(reference.finalStats().numBatchesTracked()).isEqualTo(35);
    }
}
