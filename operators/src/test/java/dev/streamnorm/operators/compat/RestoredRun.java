package dev.streamnorm.operators.compat;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/** A job that starts from a savepoint, normalizes new records and collects what it emits. */
final class RestoredRun {
    private RestoredRun() {}

    /**
     * Runs {@code normalization} on {@code input} from {@code savepoint}, restored with {@code
     * backend}; returns outputs, dead letters and final stats as sorted lines.
     */
    static List<String> run(
            Normalization normalization,
            Path savepoint,
            Backend backend,
            int parallelism,
            List<FeatureRecord> input)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(StateBackendOptions.STATE_BACKEND, backend.id());
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toUri().toString());
        // The savepoint also holds the generator's source, which these jobs do not have.
        conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);

        DataStream<FeatureRecord> records =
                env.fromData(input, FeatureRecordTypeInfoFactory.TYPE_INFO);
        SingleOutputStreamOperator<FeatureRecord> normalized = normalization.apply(records);
        DataStream<String> lines =
                normalized
                        .map(Lines::output)
                        .returns(Types.STRING)
                        .union(
                                normalized
                                        .getSideOutput(Normalization.DEAD_LETTERS)
                                        .map(Lines::deadLetter)
                                        .returns(Types.STRING),
                                normalized
                                        .getSideOutput(Normalization.FINAL_STATS)
                                        .map(s -> Lines.finalStats(s.f0, s.f1))
                                        .returns(Types.STRING));
        List<String> collected = new ArrayList<>();
        try (CloseableIterator<String> results = lines.executeAndCollect("restore v1")) {
            results.forEachRemaining(collected::add);
        }
        Collections.sort(collected);
        return collected;
    }
}
