package dev.streamnorm.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamnorm.operators.internal.SingleSubtaskGuard;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.SchedulerExecutionMode;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link RecordKeying}: which jobs keep their records in place (one task, no keyBy) and which ship
 * them over a keyBy, and the guard that keeps a job keyed in place at parallelism 1.
 */
class RecordKeyingTest {

    @ParameterizedTest
    @EnumSource(
            value = Mode.class,
            names = {"TRAIN", "EVAL", "ONLINE"})
    void atParallelismOneTheKeyedOperatorChainsToItsInput(Mode mode) {
        List<JobVertex> vertices = jobVertices(new Configuration(), 1, 1, batchNorm(mode));
        assertThat(vertices).hasSize(1);
        assertThat(vertices.get(0).getName())
                .contains("keyed in place (parallelism 1)")
                .contains("normalize (batch " + mode.id());
    }

    @Test
    void scalersChainAtParallelismOneToo() {
        Normalization scaler =
                Normalization.builder()
                        .setNorm(Norm.STANDARD)
                        .setShape(RecordShape.vector(2))
                        .build();
        assertThat(jobVertices(new Configuration(), 1, 1, scaler)).hasSize(1);
    }

    @Test
    void widerJobsShipRecordsOverAKeyBy() {
        List<JobVertex> vertices = jobVertices(new Configuration(), 2, 2, batchNorm(Mode.TRAIN));
        assertThat(vertices).hasSize(2);
        assertThat(vertices).noneMatch(v -> v.getName().contains("keyed in place"));
    }

    @Test
    void aSingleSourceFeedingAWiderOperatorShipsOverAKeyBy() {
        List<JobVertex> vertices = jobVertices(new Configuration(), 1, 2, batchNorm(Mode.TRAIN));
        assertThat(vertices).hasSize(2);
        assertThat(vertices.get(1).getParallelism()).isEqualTo(2);
    }

    @Test
    void schedulersThatRescaleInPlaceKeepTheKeyBy() {
        Configuration adaptive = new Configuration();
        adaptive.set(JobManagerOptions.SCHEDULER, JobManagerOptions.SchedulerType.Adaptive);
        Configuration reactive = new Configuration();
        reactive.set(JobManagerOptions.SCHEDULER_MODE, SchedulerExecutionMode.REACTIVE);

        assertThat(jobVertices(adaptive, 1, 1, batchNorm(Mode.TRAIN))).hasSize(2);
        assertThat(jobVertices(reactive, 1, 1, batchNorm(Mode.TRAIN))).hasSize(2);
    }

    @Test
    void theOptionKeepsTheKeyBy() {
        Configuration off = new Configuration();
        off.set(StreamnormOptions.KEYED_IN_PLACE, false);
        assertThat(jobVertices(off, 1, 1, batchNorm(Mode.TRAIN))).hasSize(2);
    }

    @Test
    void theGuardPassesRecordsAtParallelismOne() throws Exception {
        try (OneInputStreamOperatorTestHarness<String, String> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new StreamMap<>(new SingleSubtaskGuard<String>()), 128, 1, 0)) {
            harness.open();
            harness.processElement(new StreamRecord<>("a", 1));
            harness.processElement(new StreamRecord<>("b", 2));
            assertThat(harness.extractOutputValues()).containsExactly("a", "b");
        }
    }

    @Test
    void theGuardRefusesToRunWider() throws Exception {
        try (OneInputStreamOperatorTestHarness<String, String> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new StreamMap<>(new SingleSubtaskGuard<String>()), 128, 2, 1)) {
            assertThatThrownBy(harness::open)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("built for parallelism 1")
                    .hasMessageContaining("runs at parallelism 2")
                    .hasMessageContaining("take a savepoint")
                    .hasMessageContaining("streamnorm.keyed-in-place: false");
        }
    }

    private static Normalization batchNorm(Mode mode) {
        NormalizationBuilder builder =
                Normalization.builder().setMode(mode).setShape(RecordShape.vector(2));
        if (mode == Mode.EVAL) {
            builder.setInitialStats(
                    StatsTable.of(Map.of(StatsTable.ANY_KEY, RunningStats.initial(2))));
        }
        return builder.build();
    }

    /** The job graph of a source at {@code sourceParallelism} → normalize → discard. */
    private static List<JobVertex> jobVertices(
            Configuration conf, int sourceParallelism, int parallelism, Normalization n) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        DataStream<FeatureRecord> records =
                env.fromData(
                                List.of(FeatureRecord.of("k", 0, new double[] {1, 2})),
                                FeatureRecordTypeInfoFactory.TYPE_INFO)
                        .setParallelism(sourceParallelism);
        n.apply(records).sinkTo(new DiscardingSink<>());
        return new ArrayList<>(
                env.getStreamGraph().getJobGraph().getVerticesSortedTopologicallyFromSources());
    }
}
