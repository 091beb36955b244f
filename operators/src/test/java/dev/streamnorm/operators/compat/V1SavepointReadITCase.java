package dev.streamnorm.operators.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.ExponentialMoments;
import dev.streamnorm.state.RunningStats;
import dev.streamnorm.state.typeutils.ExponentialMomentsTypeInfoFactory;
import dev.streamnorm.state.typeutils.RunningStatsTypeInfoFactory;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed v1 savepoints, read with the State Processor API by the current build, hold exactly
 * the values of {@code expected.json}: every double bit for bit ({@code equals} of the state types
 * compares doubles by their bits), every counter, and no other key. Each savepoint is read with the
 * backend that took it and with the other one (canonical savepoints are portable).
 */
class V1SavepointReadITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = CompatMiniCluster.twoSlots();

    static Stream<Arguments> takenAndRestoredWith() {
        return Stream.of(Backend.values())
                .flatMap(
                        taken ->
                                Stream.of(Backend.values()).map(read -> Arguments.of(taken, read)));
    }

    @ParameterizedTest(name = "taken with {0}, read with {1}")
    @MethodSource("takenAndRestoredWith")
    void runningStatsOfTrainModeAreBitIdentical(Backend taken, Backend read) throws Exception {
        Map<String, RunningStats> stats =
                ValueStateReader.read(
                        env(),
                        V1Savepoints.savepoint(Mode.TRAIN, taken),
                        read,
                        Normalization.OPERATOR_UID,
                        V1Savepoints.RUNNING_STATS,
                        RunningStatsTypeInfoFactory.TYPE_INFO);

        assertThat(stats).isEqualTo(V1Savepoints.expected(Mode.TRAIN).runningStatsByKey());
        assertThat(stats).containsOnlyKeys("sensor-a", "sensor-b", "sensor-c", "sensor-e");
    }

    @ParameterizedTest(name = "taken with {0}, read with {1}")
    @MethodSource("takenAndRestoredWith")
    void exponentialMomentsOfOnlineModeAreBitIdentical(Backend taken, Backend read)
            throws Exception {
        Map<String, ExponentialMoments> moments =
                ValueStateReader.read(
                        env(),
                        V1Savepoints.savepoint(Mode.ONLINE, taken),
                        read,
                        Normalization.OPERATOR_UID,
                        V1Savepoints.EW_MOMENTS,
                        ExponentialMomentsTypeInfoFactory.TYPE_INFO);

        assertThat(moments).isEqualTo(V1Savepoints.expected(Mode.ONLINE).ewMomentsByKey());
        assertThat(moments).hasSize(5);
    }

    private static StreamExecutionEnvironment env() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }
}
