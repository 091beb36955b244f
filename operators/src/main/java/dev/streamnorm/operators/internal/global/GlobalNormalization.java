package dev.streamnorm.operators.internal.global;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.state.RecordShape;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Builds global scope, the streaming form of SyncBatchNorm:
 *
 * <pre>
 *   records ─▶ normalize (p, chained) ─▶ out
 *                 │ partial moments  ▲ merged batch stats
 *                 ▼                  │
 *              coordinator (JobManager): merge + running stats
 * </pre>
 *
 * <p>No keyBy and no network hop on the records' path: they stay in their subtask's thread. Only
 * one small operator event per subtask and batch goes to the coordinator, and one per batch comes
 * back.
 */
public final class GlobalNormalization {
    private GlobalNormalization() {}

    /** Adds global-scope batch norm to {@code input}. */
    public static SingleOutputStreamOperator<FeatureRecord> apply(
            Normalization config, DataStream<FeatureRecord> input) {
        RecordShape shape =
                config.shape() != null
                        ? config.shape()
                        : RecordShape.vector(config.initialStats().channels());
        if (config.mode() == Mode.EVAL) {
            return input.process(
                            new GlobalEvalFunction(config, shape),
                            FeatureRecordTypeInfoFactory.TYPE_INFO)
                    .uid(Normalization.OPERATOR_UID)
                    .name("normalize (" + config.describe() + ")");
        }
        return input.transform(
                        "normalize (" + config.describe() + ")",
                        FeatureRecordTypeInfoFactory.TYPE_INFO,
                        new GlobalNormalizeOperatorFactory(config, shape))
                .uid(Normalization.OPERATOR_UID);
    }
}
