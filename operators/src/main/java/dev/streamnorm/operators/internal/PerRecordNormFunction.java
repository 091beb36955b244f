package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.DeadLetter;
import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Norm;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.L2Norm;
import dev.streamnorm.state.RecordShape;
import dev.streamnorm.state.SegmentNorm;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Layer, group, instance and l2 norm: each record on its own, no state, identical in every mode.
 * Without a configured shape, layer and l2 norm take any record length.
 */
public final class PerRecordNormFunction extends ProcessFunction<FeatureRecord, FeatureRecord> {
    private static final long serialVersionUID = 1L;

    private final Normalization config;
    private transient NormMetrics metrics;
    @Nullable private transient SegmentNorm segmentNorm;
    private transient int segmentNormLength;

    public PerRecordNormFunction(Normalization config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = new NormMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(FeatureRecord record, Context ctx, Collector<FeatureRecord> out) {
        RecordShape shape = config.shape();
        int expected = expectedLength(config);
        DeadLetter rejected =
                RecordCheck.check(
                        record,
                        expected,
                        shape != null ? shape : expected < 0 ? "any" : "of the affine");
        if (rejected != null) {
            metrics.deadLetter(rejected.error());
            ctx.output(Normalization.DEAD_LETTERS, rejected);
            return;
        }
        double[] values = record.values();
        if (config.norm() == Norm.L2) {
            L2Norm.apply(values, values, config.eps());
        } else {
            segmentNorm(values.length).apply(values, values);
        }
        metrics.recordsNormalized.inc();
        out.collect(record);
    }

    private SegmentNorm segmentNorm(int length) {
        if (segmentNorm == null || segmentNormLength != length) {
            segmentNorm = segmentNorm(config, length);
            segmentNormLength = length;
        }
        return segmentNorm;
    }

    /**
     * The number of values a record must have: the configured shape's, else the affine's, else -1
     * (any).
     */
    public static int expectedLength(Normalization config) {
        if (config.shape() != null) {
            return config.shape().size();
        }
        return config.affine().isIdentity() ? -1 : config.affine().length();
    }

    /**
     * The layer, group or instance norm of {@code config} for records of {@code length} values (the
     * configured shape, else C = length).
     */
    public static SegmentNorm segmentNorm(Normalization config, int length) {
        RecordShape shape = config.shape() != null ? config.shape() : RecordShape.vector(length);
        switch (config.norm()) {
            case GROUP:
                return SegmentNorm.group(shape, config.groups(), config.eps(), config.affine());
            case INSTANCE:
                return SegmentNorm.instance(shape, config.eps(), config.affine());
            default:
                return SegmentNorm.layer(shape, shape.size(), config.eps(), config.affine());
        }
    }
}
