package dev.streamnorm.operators.internal.global;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Mode;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.state.ChannelMoments;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.RunningStats;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Builds global scope, the streaming form of SyncBatchNorm:
 *
 * <pre>
 *   records ─▶ partial moments (p) ──records + batch──▶ normalize (p) ─▶ out
 *                     │ partials                           ▲ merged stats (broadcast)
 *                     └────────▶ merge + running stats (1) ─┘
 * </pre>
 *
 * <p>No keyBy on the records' path: they stay on their subtask. Only one small message per subtask
 * and batch goes to the merger, and one per batch comes back.
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
        SingleOutputStreamOperator<Tuple2<Long, FeatureRecord>> windowed =
                input.transform(
                                "partial moments",
                                GlobalMessages.WINDOWED_RECORD,
                                new PartialMomentsOperator(config, shape))
                        .uid(Normalization.OPERATOR_UID + "-partials");
        DataStream<Tuple3<Long, Integer, ChannelMoments>> partials =
                windowed.getSideOutput(PartialMomentsOperator.PARTIALS);
        SingleOutputStreamOperator<Tuple3<Long, RunningStats, RunningStats>> merged =
                partials.global()
                        .transform(
                                "merge batch moments",
                                GlobalMessages.BATCH_STATS,
                                new BatchStatsOperator(config, shape))
                        .setParallelism(1)
                        .setMaxParallelism(1)
                        .uid(Normalization.OPERATOR_UID + "-global-stats");
        return windowed.connect(merged.broadcast())
                .transform(
                        "normalize (" + config.describe() + ")",
                        FeatureRecordTypeInfoFactory.TYPE_INFO,
                        new GlobalNormalizeOperator(config, shape))
                .uid(Normalization.OPERATOR_UID);
    }
}
