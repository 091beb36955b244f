package dev.streamnorm.operators;

import static org.apache.flink.util.Preconditions.checkArgument;

import dev.streamnorm.operators.internal.PerRecordNormFunction;
import dev.streamnorm.operators.typeutils.FeatureRecordTypeInfoFactory;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Layer, group, instance and l2 norm: stateless, each record on its own, the stream's partitioning
 * kept.
 */
final class PerRecordNormPlan implements NormPlan {
    static final PerRecordNormPlan INSTANCE = new PerRecordNormPlan();

    private PerRecordNormPlan() {}

    @Override
    public void check(NormalizationBuilder b) {
        if (b.norm == Norm.GROUP) {
            checkArgument(b.groups != null, "group norm needs --groups");
            checkArgument(b.groups > 0, "groups must be positive, got %s", b.groups);
            checkArgument(b.shape != null, "group norm needs --shape C or CxL");
            checkArgument(
                    b.shape.channels() % b.groups == 0,
                    "groups must divide channels: %s groups, %s channels",
                    b.groups,
                    b.shape.channels());
        }
        if (b.norm == Norm.INSTANCE) {
            checkArgument(
                    b.shape != null && b.shape.positions() >= 2,
                    "instance norm needs --shape CxL with L >= 2 (a plain vector has no"
                            + " instance to normalize), got %s",
                    b.shape == null ? "no shape" : b.shape);
        }
        checkArgument(
                b.norm != Norm.L2 || b.affine.isIdentity(), "l2 norm takes no affine transform");
        if (b.shape != null) {
            b.checkAffineFitsShape(b.norm == Norm.LAYER ? b.shape.size() : b.shape.channels());
        }
    }

    @Override
    public boolean hasFinalStats(NormalizationBuilder options) {
        return false;
    }

    @Override
    public SingleOutputStreamOperator<FeatureRecord> apply(
            Normalization config, DataStream<FeatureRecord> input) {
        return input.process(
                        new PerRecordNormFunction(config), FeatureRecordTypeInfoFactory.TYPE_INFO)
                .uid(Normalization.OPERATOR_UID)
                .name("normalize (" + describe(config) + ")");
    }

    @Override
    public String describe(Normalization config) {
        Norm norm = config.norm();
        return norm.id() + (norm == Norm.GROUP ? " groups=" + config.groups() : "");
    }
}
