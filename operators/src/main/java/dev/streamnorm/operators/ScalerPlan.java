package dev.streamnorm.operators;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.streamnorm.operators.internal.ScalerFunctions;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import dev.streamnorm.state.scaler.ScalerKind;
import dev.streamnorm.state.scaler.ScalerParams;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The scikit-learn scalers (standard, min-max, max-abs, robust): keyed statistics per value of the
 * record, each of its C·L values a feature (DESIGN §7).
 */
final class ScalerPlan implements NormPlan {
    static final ScalerPlan INSTANCE = new ScalerPlan();

    private ScalerPlan() {}

    @Override
    public void check(NormalizationBuilder b) {
        String norm = b.norm.id();
        checkArgument(b.affine.isIdentity(), "%s scaler takes no affine transform", norm);
        checkArgument(b.alignTo == null, "--align-to does not apply to the %s scaler", norm);
        checkArgument(
                b.batchInterval == null, "batch-interval applies to batch norm only, not %s", norm);
        checkArgument(
                b.initialStats.isEmpty(),
                "the stats are batch-norm running stats; the %s scaler needs its own",
                norm);
        checkArgument(
                !b.robustExact || (b.norm == Norm.ROBUST && b.mode == Mode.TRAIN),
                "--robust-exact applies to --norm robust in train mode");
        checkArgument(
                b.momentum == null || !b.momentum.isCumulative(),
                "momentum 'cumulative' exists only for batch norm");
        checkArgument(
                b.mode != Mode.EVAL
                        || (b.scalerTable != null && !b.scalerTable.isEmpty())
                        || b.statsFromSavepoint,
                "eval mode needs statistics: --stats FILE or --from-savepoint PATH");
        if (b.scalerTable != null && !b.scalerTable.isEmpty()) {
            ScalerKind kind = b.norm.scalerKind();
            checkArgument(
                    b.scalerTable.kind() == kind,
                    "the stats are of the %s scaler, --norm is %s",
                    b.scalerTable.kind().id(),
                    norm);
            checkArgument(
                    b.shape == null || b.shape.size() == b.scalerTable.features(),
                    "stats have %s features, shape %s has %s values",
                    b.scalerTable.features(),
                    b.shape,
                    b.shape == null ? 0 : b.shape.size());
            checkEntries(b);
        }
    }

    /** Every entry must give the transform (eval) or the statistics to resume from (train). */
    private static void checkEntries(NormalizationBuilder b) {
        for (String key : b.scalerTable.keys()) {
            ScalerTable.Entry entry = b.scalerTable.lookupExact(key);
            try {
                if (b.mode == Mode.EVAL) {
                    b.scalerTable.fitted(entry, b.scalerParams);
                } else if (b.mode == Mode.TRAIN) {
                    b.scalerTable.resume(entry);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "stats of key '"
                                + key
                                + "' cannot "
                                + (b.mode == Mode.EVAL ? "be served: " : "resume training: ")
                                + e.getMessage(),
                        e);
            }
        }
    }

    @Override
    public boolean hasFinalStats(NormalizationBuilder b) {
        return b.mode == Mode.TRAIN;
    }

    @Override
    public SingleOutputStreamOperator<FeatureRecord> apply(
            Normalization config, DataStream<FeatureRecord> input) {
        return RecordKeying.byKey(input)
                .transform(
                        "normalize",
                        FeatureRecordTypeInfoFactory.TYPE_INFO,
                        ScalerFunctions.create(config))
                .uid(Normalization.OPERATOR_UID)
                .name("normalize (" + describe(config) + ")");
    }

    @Override
    public String describe(Normalization config) {
        ScalerParams p = config.scalerParams();
        String params;
        switch (config.norm().scalerKind()) {
            case STANDARD:
                params = " with_mean=" + p.withMean + " with_std=" + p.withStd;
                break;
            case MINMAX:
                params = " feature_range=" + p.rangeMin + "," + p.rangeMax + " clip=" + p.clip;
                break;
            case MAXABS:
                params = "";
                break;
            default:
                params =
                        " quantile_range="
                                + p.quantileLow
                                + ","
                                + p.quantileHigh
                                + (p.withCentering ? "" : " no-centering")
                                + (p.withScaling ? "" : " no-scaling")
                                + (p.unitVariance ? " unit_variance" : "")
                                + (config.robustExact() ? " exact" : "");
        }
        String forgetting = config.mode() == Mode.ONLINE ? " m=" + config.momentum() : "";
        return config.norm().id() + " " + config.mode().id() + params + forgetting;
    }
}
