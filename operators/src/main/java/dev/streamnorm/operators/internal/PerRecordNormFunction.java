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
        int expected =
                shape != null
                        ? shape.size()
                        : config.affine().isIdentity() ? -1 : config.affine().length();
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
            RecordShape shape =
                    config.shape() != null ? config.shape() : RecordShape.vector(length);
            switch (config.norm()) {
                case GROUP:
                    segmentNorm =
                            SegmentNorm.group(
                                    shape, config.groups(), config.eps(), config.affine());
                    break;
                case INSTANCE:
                    segmentNorm = SegmentNorm.instance(shape, config.eps(), config.affine());
                    break;
                default:
                    segmentNorm =
                            SegmentNorm.layer(shape, shape.size(), config.eps(), config.affine());
            }
            segmentNormLength = length;
        }
        return segmentNorm;
    }
}
