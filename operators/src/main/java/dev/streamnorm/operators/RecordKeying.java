package dev.streamnorm.operators;

import dev.streamnorm.operators.internal.SingleSubtaskGuard;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.SchedulerExecutionMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Keys records by {@link FeatureRecord#key()} for a keyed operator.
 *
 * <p>At parallelism 1 one subtask owns every key group, so a keyBy moves no record anywhere: it
 * only serializes each record into a network buffer and hands it to a second thread, which costs
 * 15–26 % of an exactly-once Kafka job's CPU. There the records keep their thread: the stream is
 * reinterpreted as keyed and the keyed operator chains to the one before it. Keyed state is the
 * same either way (the same key groups under the same operator uid), so savepoints move freely
 * between a job built at parallelism 1 and one built wider.
 *
 * <p>A job built this way must not be rescaled while it runs. The default scheduler never does
 * that; the adaptive scheduler and reactive mode can, so with either configured, or with {@link
 * StreamnormOptions#KEYED_IN_PLACE} false, the keyBy stays. If such a job runs wider anyway, {@link
 * SingleSubtaskGuard} fails it with a clear message before any record reaches keyed state.
 */
final class RecordKeying {
    private RecordKeying() {}

    /** {@code input} keyed by record key: in place at parallelism 1, otherwise by a keyBy. */
    static KeyedStream<FeatureRecord, String> byKey(DataStream<FeatureRecord> input) {
        if (!staysInPlace(input)) {
            return input.keyBy(FeatureRecord::key, Types.STRING);
        }
        DataStream<FeatureRecord> guarded =
                input.map(
                                new SingleSubtaskGuard<FeatureRecord>(),
                                FeatureRecordTypeInfoFactory.TYPE_INFO)
                        .uid("streamnorm-single-subtask-guard")
                        .name("keyed in place (parallelism 1)");
        return DataStreamUtils.reinterpretAsKeyedStream(guarded, FeatureRecord::key, Types.STRING);
    }

    /**
     * Whether records of {@code input} can reach keyed state without a keyBy: {@code input} and the
     * keyed operator (the environment's parallelism) both run at parallelism 1.
     */
    static boolean staysInPlace(DataStream<FeatureRecord> input) {
        StreamExecutionEnvironment env = input.getExecutionEnvironment();
        ReadableConfig conf = env.getConfiguration();
        return conf.get(StreamnormOptions.KEYED_IN_PLACE)
                && input.getParallelism() == 1
                && env.getParallelism() == 1
                && conf.get(JobManagerOptions.SCHEDULER) != JobManagerOptions.SchedulerType.Adaptive
                && conf.get(JobManagerOptions.SCHEDULER_MODE) != SchedulerExecutionMode.REACTIVE;
    }
}
