package dev.streamnorm.operators.internal;

import dev.streamnorm.operators.FeatureRecord;
import dev.streamnorm.operators.Normalization;
import dev.streamnorm.state.ExponentialMoments;
import dev.streamnorm.state.typeutils.ExponentialMomentsTypeInfoFactory;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.util.Collector;

/**
 * Online mode: per record, the key's exponentially weighted mean and variance of every value are
 * updated with weight {@code momentum}, then the record is normalized with them (River's {@code
 * learn_one} then {@code transform_one}; the first record of a key maps to zeros).
 */
final class OnlineFunction extends KeyedNormFunction {
    private static final long serialVersionUID = 1L;

    /** Exponentially weighted moments per key. */
    static final String EW_MOMENTS = "ew-moments";

    private transient ValueState<ExponentialMoments> moments;

    OnlineFunction(Normalization config) {
        super(config);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        super.open(openContext);
        moments =
                getRuntimeContext()
                        .getState(
                                withTtl(
                                        new ValueStateDescriptor<>(
                                                EW_MOMENTS,
                                                ExponentialMomentsTypeInfoFactory.TYPE_INFO)));
    }

    @Override
    public void processElement(FeatureRecord record, Context ctx, Collector<FeatureRecord> out)
            throws Exception {
        ExponentialMoments current = moments.value();
        int expected =
                config.shape() != null
                        ? config.shape().size()
                        : current != null ? current.size() : -1;
        if (!accept(record, expected, ctx)) {
            return;
        }
        if (current == null) {
            current = new ExponentialMoments(record.values().length);
            metrics.keys.inc();
        }
        current.update(record.values(), config.momentum().value());
        current.standardize(record.values(), record.values(), config.eps());
        moments.update(current);
        emit(record, out);
    }
}
