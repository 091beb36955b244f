package dev.streamnorm.operators;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.streamnorm.operators.internal.KeyedNormFunctions;
import dev.streamnorm.operators.internal.global.GlobalNormalization;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Batch norm: keyed running statistics (train, eval, online), or with global scope one set shared
 * by all records ({@link GlobalNormalization}).
 */
final class BatchNormPlan implements NormPlan {
    static final BatchNormPlan INSTANCE = new BatchNormPlan();

    private BatchNormPlan() {}

    @Override
    public void check(NormalizationBuilder b) {
        if (b.shape != null) {
            b.checkAffineFitsShape(b.shape.channels());
        }
        if (b.momentum != null && b.momentum.isCumulative()) {
            checkArgument(
                    b.convention == Convention.PYTORCH && b.mode == Mode.TRAIN,
                    "momentum 'cumulative' exists only for the pytorch convention in train mode");
        }
        if (b.convention == Convention.KERAS && b.momentum != null) {
            checkArgument(b.momentum.value() < 1, "keras momentum must be in (0, 1), got 1");
        }
        checkArgument(
                b.mode != Mode.ONLINE || b.affine.isIdentity(),
                "online mode takes no affine transform");
        checkArgument(
                b.mode != Mode.EVAL || !b.initialStats.isEmpty() || b.statsFromSavepoint,
                "eval mode needs statistics: --stats FILE or --from-savepoint PATH");
        checkArgument(
                b.batchInterval == null || b.mode == Mode.TRAIN || b.scope == Scope.GLOBAL,
                "batch-interval only applies to train mode");
        if (b.scope == Scope.GLOBAL) {
            checkGlobal(b);
        }
        int channels = b.shape != null ? b.shape.channels() : b.initialStats.channels();
        checkArgument(
                b.shape == null
                        || b.initialStats.isEmpty()
                        || b.initialStats.channels() == b.shape.channels(),
                "stats have %s channels, shape %s has %s",
                b.initialStats.channels(),
                b.shape,
                channels);
        checkArgument(
                channels < 0 || b.affine.fits(channels),
                "affine has %s entries, expected one per channel (%s)",
                b.affine.length(),
                channels);
    }

    private static void checkGlobal(NormalizationBuilder b) {
        checkArgument(
                b.mode == Mode.EVAL || b.batchInterval != null,
                "--scope global batches by event time: it needs --batch-interval");
        checkArgument(
                b.mode != Mode.EVAL || b.initialStats.keys().contains(StatsTable.ANY_KEY),
                "--scope global in eval mode needs stats under key '*'");
        checkArgument(
                b.shape != null || !b.initialStats.isEmpty(),
                "--scope global needs --shape (or stats that fix the channels)");
    }

    @Override
    public boolean hasFinalStats(NormalizationBuilder b) {
        return b.mode == Mode.TRAIN || (b.scope == Scope.GLOBAL && b.mode == Mode.ONLINE);
    }

    @Override
    public SingleOutputStreamOperator<FeatureRecord> apply(
            Normalization config, DataStream<FeatureRecord> input) {
        if (config.scope() == Scope.GLOBAL) {
            return GlobalNormalization.apply(config, input);
        }
        return RecordKeying.byKey(input)
                .transform(
                        "normalize",
                        FeatureRecordTypeInfoFactory.TYPE_INFO,
                        KeyedNormFunctions.create(config))
                .uid(Normalization.OPERATOR_UID)
                .name("normalize (" + describe(config) + ")");
    }

    @Override
    public String describe(Normalization config) {
        Mode mode = config.mode();
        Scope scope = config.scope();
        String batching =
                config.batchInterval() != null
                        ? " interval=" + config.batchInterval()
                        : " batch=" + config.batchSize();
        return "batch "
                + (scope == Scope.GLOBAL ? "global " : "")
                + mode.id()
                + " "
                + config.convention().id()
                + " m="
                + config.momentum()
                + (mode != Mode.EVAL && (mode == Mode.TRAIN || scope == Scope.GLOBAL)
                        ? batching
                        : "");
    }
}
